"""``make dev``: run the dispatcher locally with the example tenants uploaded.

Runs on the offline development runtime (tools/offline_runtime) unless asked for the
official one (``make dev RUNTIME=official``, which runs ``pywrangler dev`` on Cloudflare's
released bundle). ``PORT`` picks the port (8787). The dev server's log goes to a file,
named at start, and its request lines, warnings and errors are echoed to the terminal.
``DW_DEV_STATE`` names another state directory (``.wrangler/dev-state``).

However it is stopped (Ctrl-C, SIGTERM or SIGHUP to it or to ``make``, ``kill -9``, a
failure), during start-up or after, it stops what it started: the dev server's process
group and the upload check's probe process; the port is free again. A port that is
already taken is refused before anything starts, naming what holds it.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.dev_terminal import echo_log
from tools.offline_runtime.devserver import DevServer
from tools.offline_runtime.ports import PortTakenError
from tools.tenant_code import upload_examples

ROOT = Path(__file__).resolve().parent.parent


def admin_token() -> str:
    """ADMIN_TOKEN from .dev.vars, created (and printed once) when absent."""
    dev_vars = ROOT / ".dev.vars"
    if dev_vars.exists():
        for line in dev_vars.read_text().splitlines():
            if line.startswith("ADMIN_TOKEN="):
                return line.split("=", 1)[1].strip().strip('"')
    token = secrets.token_urlsafe(24)
    with dev_vars.open("a") as handle:
        handle.write(f'ADMIN_TOKEN="{token}"\n')
    print(f"Created .dev.vars with ADMIN_TOKEN={token}")
    return token


def end_with_parent() -> None:
    """Be sent SIGTERM when the process that started this one (``make``) ends.

    Stopping ``make dev`` by its pid signals only make, which exits without signalling
    this process: this one would keep the dev server running. (Linux ``prctl``; elsewhere
    nothing is done.)
    """
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


PR_SET_PDEATHSIG = 1


def _stop(signum: int, _frame: object) -> None:
    """SIGTERM and SIGHUP end ``make dev`` as Ctrl-C does: through the clean-up."""
    raise SystemExit(128 + signum)


def main() -> None:
    # Any of these, at any moment (start-up included), ends in DevServer.stop(): the
    # dev server's process group and its probe process are stopped, the port is free.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    # Ctrl-C too when started in the background by a shell, which makes it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    end_with_parent()
    token = admin_token()
    port = int(os.environ.get("PORT", "8787"))
    state = Path(os.environ.get("DW_DEV_STATE") or ROOT / ".wrangler" / "dev-state")
    server = DevServer(ROOT, port=port, persist_dir=state, upload_probe=True, wake_stalled=True)
    offset = server.log_path.stat().st_size if server.log_path.exists() else 0
    print(f"Starting the dispatcher on {server.url}: {server.mode}")
    print(f"Dev server log: {server.log_path}", flush=True)
    stop = threading.Event()
    echo = threading.Thread(target=echo_log, args=(server.log_path, offset, stop), daemon=True)
    echo.start()
    try:
        headers = {"authorization": f"Bearer {token}"}
        with server, httpx.Client(base_url=server.url, headers=headers, timeout=300) as c:
            versions = upload_examples(c)
            print(f"\nDispatcher on {server.url}; tenants uploaded: {versions}")
            if server.woken and server.woken["woken"]:
                print(f"Woke {server.woken['woken']} instance(s) the last stop left stalled.")
            print(
                f"  curl -X POST {server.url}/t/js-orders/workflows"
                ' -d \'{"params":{"who":"bob"}}\''
            )
            print(f"  curl {server.url}/t/js-orders/workflows/<id>")
            print(f"  DW_URL={server.url} DW_ADMIN_TOKEN=<.dev.vars> .venv/bin/dwctl tenants")
            print("Ctrl-C to stop.", flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
    except PortTakenError as exc:
        print(f"make dev: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    finally:
        stop.set()


if __name__ == "__main__":
    main()
