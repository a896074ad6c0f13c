"""``make dev``: run the dispatcher locally with the example tenants uploaded.

Uses the official Python runtime where workerd can download it, and the
offline development runtime (tools/offline_runtime) otherwise.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.offline_runtime.devserver import DevServer
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


def main() -> None:
    # A SIGTERM (not just Ctrl-C) must stop the dev server's process group too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    token = admin_token()
    port = int(os.environ.get("PORT", "8787"))
    with DevServer(ROOT, port=port, persist_dir=ROOT / ".wrangler" / "dev-state") as server:
        with httpx.Client(base_url=server.url, headers={"authorization": f"Bearer {token}"}) as c:
            versions = upload_examples(c)
        print(f"\nDispatcher on {server.url} ({server.mode}); tenants uploaded: {versions}")
        print(
            f'  curl -X POST {server.url}/t/js-orders/workflows -d \'{{"params":{{"who":"bob"}}}}\''
        )
        print(f"  curl {server.url}/t/js-orders/workflows/<id>")
        print("Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
