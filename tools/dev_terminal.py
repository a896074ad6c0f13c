"""What ``make dev`` shows of the dev server's log: request lines, warnings and errors, each
deliberate refusal and engine stop in one plain line, the dispatcher's failures as id,
message and traceback, and tenant text escaped (it cannot act on the terminal)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import dynamic_workflows
from dwctl.terminal import printable

#: wrangler's table of attached modules and the harmless offline Request.cf warning.
_QUIET = re.compile(
    r"^\s*[┌├└│]|^Attaching additional modules|Unable to fetch the `Request.cf`"
    r"|getaddrinfo ENOTFOUND workers\.cloudflare\.com|^\s+at .*(dns|async_hooks)"
)


def follow(path: Path, offset: int, stop: threading.Event) -> Iterator[str]:
    """Lines appended to ``path`` after ``offset``, until ``stop`` is set."""
    while not path.exists() and not stop.is_set():
        time.sleep(0.1)
    with path.open("r", errors="replace") as handle:
        handle.seek(offset)
        pending = ""
        while not stop.is_set():
            chunk = handle.readline()
            if not chunk:
                time.sleep(0.1)
                continue
            pending += chunk
            if pending.endswith("\n"):
                yield pending.rstrip("\n")
                pending = ""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: How the dispatcher's log line of an unexpected failure starts (dispatcher/respond.py).
ERROR_LINE = '{"event": "dispatcher.error"'
_UNCAUGHT = re.compile(r"Uncaught (\w+): ")
#: wrangler ends the first line of an error thrown out of an RPC method with " Error" (how it
#: renders the inspector's exception; any error, checked with a plain JavaScript worker).
_WRANGLER_TAIL = re.compile(r" Error(?=(?:\x1b\[0m)?\s*$)")
#: How the engine stops a run on purpose (pause, terminate, restart, delete): the pending step
#: throws this and the dispatcher hands it back, which workerd logs as an uncaught error.
_ENGINE_STOP = re.compile(r"Uncaught \w+: (Aborting engine: User called \w+)")
_STACK = re.compile(r"^\s+at ")
#: The library's deliberate refusals (not-found, bad input, engine refusals): one line each.
REFUSALS = frozenset(
    name
    for name in dynamic_workflows.__all__
    if name.endswith("Error") and name != "DispatcherInternalError"
)


def terminal_lines(lines: Iterable[str]) -> Iterator[str]:
    """The log lines worth a person's terminal.

    A refusal the library makes on purpose (workerd logs it as ``Uncaught
    InstanceNotFoundError: ...`` when it crosses RPC) is one line, without its stack, and
    so is a run the engine stops on purpose (a pause, terminate, restart or delete); other
    errors keep theirs. wrangler's stray " Error" at the end of such lines goes. The full
    log stays in the file. The log holds what tenant code printed, as it printed it: every
    control character but the log's own colours is shown escaped, so a tenant's escape
    sequence cannot act on the terminal.
    """
    for line in _terminal_lines(lines):
        yield printable(line, colours=True)


def _terminal_lines(lines: Iterable[str]) -> Iterator[str]:
    in_refusal = False
    for line in lines:
        plain = _ANSI.sub("", line)
        if not plain.strip() or (in_refusal and _STACK.match(plain)):
            continue
        in_refusal = False
        if _QUIET.search(plain):
            continue
        failure = _dispatcher_error(plain)
        if failure is not None:
            yield from failure
            continue
        stopped = _ENGINE_STOP.search(plain)
        if stopped:
            in_refusal = True
            yield "run stopped: " + _WRANGLER_TAIL.sub("", stopped.group(1)).strip()
            continue
        refusal = _UNCAUGHT.search(plain)
        if refusal and refusal.group(1) in REFUSALS:
            in_refusal = True
            yield "refused: " + _WRANGLER_TAIL.sub("", plain[refusal.start(1) :]).strip()
            continue
        yield _WRANGLER_TAIL.sub("", line) if refusal else line


def _dispatcher_error(plain: str) -> list[str] | None:
    """The dispatcher's JSON line of an unexpected failure as a person reads it: the id and
    message, then the traceback's lines; None for any other line."""
    start = plain.find(ERROR_LINE)
    if start < 0:
        return None
    try:
        line = json.loads(plain[start : plain.rfind("}") + 1])
    except ValueError:
        return None
    detail = str(line.get("detail") or "").rstrip("\n").split("\n")
    return [f"dispatcher error {line.get('id')}: {line.get('message')}", *detail]


def echo_log(path: Path, offset: int, stop: threading.Event) -> None:
    for line in terminal_lines(follow(path, offset, stop)):
        print(line, flush=True)
