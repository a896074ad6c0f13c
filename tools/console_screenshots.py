"""``make screenshots``: the console's pages at a desktop and a phone width, in docs/console/.

Starts a dispatcher on the offline runtime (a fresh state directory), uploads the example
tenants and the log test tenants, makes instances to look at (a failed one, a complete one,
one waiting for an event) and log lines, then drives Debian's chromium (as the browser tests
do) through each page: the log-in form, the tenants, one tenant, one failed instance.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, DESKTOP, FLAGS, PHONE  # noqa: E402
from tools.offline_runtime.devserver import DevServer  # noqa: E402
from tools.tenant_code import upload, upload_body, upload_examples  # noqa: E402

OUT = ROOT / "docs" / "console"
TOKEN = "screenshot-token"
LOG_TENANTS = ROOT / "tests" / "e2e" / "tenants"


def settle(client: httpx.Client, tenant: str, instance: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/t/{tenant}/workflows/{instance}").json().get("status")
        if status in ("complete", "errored", "terminated"):
            return
        time.sleep(0.3)


def scene(server: DevServer) -> str:
    """Tenants, instances and log lines to show; the failed instance's id."""
    headers = {"authorization": f"Bearer {TOKEN}"}
    with (
        httpx.Client(base_url=server.url, headers=headers, timeout=60) as admin,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        upload_examples(admin)
        for name in ("js-logs", "py-logs"):
            upload(admin, name, upload_body(LOG_TENANTS / name))
        client.get("/t/py-logs/log", params={"text": "charging order 1042"}).raise_for_status()
        complete = client.post("/t/py-logs/workflows", json={"params": {"say": "order 1041"}})
        params = {"say": "order 1042", "raise": "card declined for order 1042"}
        failed = client.post("/t/py-logs/workflows", json={"params": params}).json()["id"]
        waiting = {"id": "order-7", "params": {"who": "ada", "waitForEvent": True}}
        client.post("/t/js-orders/workflows", json=waiting).raise_for_status()
        client.post("/t/js-orders/workflows", json={"params": {"who": "bob"}})
        settle(client, "py-logs", complete.json()["id"])
        settle(client, "py-logs", failed)
        time.sleep(1.5)  # the tails write after each invocation
        return str(failed)


def shoot(page: Page, name: str, width: str) -> None:
    path = OUT / f"{name}-{width}.png"
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dw-screenshots-") as tmp:
        server = DevServer(ROOT, persist_dir=Path(tmp) / "state", variables={"ADMIN_TOKEN": TOKEN})
        with server, sync_playwright() as playwright:
            failed = scene(server)
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(base_url=server.url, viewport=viewport)
                page = context.new_page()
                page.goto("/admin/")
                shoot(page, "login", width)
                page.fill("input[name=token]", TOKEN)
                page.click("form#login button[type=submit]")
                page.wait_for_selector("table#tenants tbody tr")
                shoot(page, "tenants", width)
                page.goto("/admin/#/t/py-logs")
                page.wait_for_selector("ol#logs li")
                shoot(page, "tenant", width)
                page.goto(f"/admin/#/t/py-logs/i/{failed}")
                page.wait_for_selector("#error-message")
                page.wait_for_selector("ol#logs li")
                shoot(page, "instance", width)
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
