"""The console in real headless Chromium (Debian's ``chromium``, which ``make setup``
installs), driven by Playwright's Python API on that binary: Playwright's own browser
download is never used."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from tests.conftest import Dispatcher

#: The browser the tests drive: Debian's package (``make setup`` installs it).
CHROMIUM = Path(os.environ.get("DW_CHROMIUM", "/usr/bin/chromium"))
#: Flags that work on a machine without a display, a GPU or network beyond the registries.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, dispatcher: Dispatcher) -> Iterator[Page]:
    """A fresh browser context (no token stored) with the console's origin as its base."""
    context = browser.new_context(base_url=dispatcher.url, viewport=DESKTOP)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"the console threw: {errors}"


def log_in(page: Page, token: str) -> None:
    page.goto("/admin/")
    page.fill("input[name=token]", token)
    page.click("form#login button[type=submit]")
    page.wait_for_selector("table#tenants")
