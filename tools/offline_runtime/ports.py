"""Loopback ports for the dev tooling's servers: a free one, who holds a taken one, and a
refusal that names the holder."""

from __future__ import annotations

import os
import socket
from pathlib import Path


class PortTakenError(RuntimeError):
    """Something already listens on the port the dev server was asked to use."""


def port_holder(port: int) -> str | None:
    """Who listens on 127.0.0.1/0.0.0.0 ``port`` (pid and command), None if nobody does.

    Read from /proc: the listening socket's inode, then the process holding it (only
    processes this user may inspect are found; others are reported as unknown).
    """
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(fields[9])
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    return f"pid {proc.name} ({command.strip()[:120]})"
        except OSError:
            continue
    return "a process this user cannot inspect"


def check_port_free(port: int) -> None:
    """``PortTakenError`` naming the port and its holder when something listens on it.

    A dev server must not start on a taken port: wrangler would print its banner, fail
    with "Address already in use", and every request would reach the other server.
    """
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return
        except OSError:
            pass
    holder = port_holder(port) or "another process"
    raise PortTakenError(
        f"port {port} is taken by {holder}: stop it (an earlier dev server?) or choose "
        "another port (make dev PORT=...)"
    )


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
