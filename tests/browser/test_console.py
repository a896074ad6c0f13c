"""The operator's console at /admin/ in real headless Chromium, against the session's
dispatcher: log in, find a failed instance, read its error and logs, act on an instance; and
every string a tenant controls shown as text, never markup."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import PHONE, log_in
from tests.conftest import Dispatcher, create, wait_for, wait_until_waiting_for_event
from tests.e2e.logs_helpers import upload_log_tenants, wait_for_logs, with_message

pytestmark = [pytest.mark.workerd, pytest.mark.browser]


@pytest.fixture(scope="module", autouse=True)
def log_tenants(admin: httpx.Client) -> Iterator[None]:
    upload_log_tenants(admin)
    yield


def failed_instance(client: httpx.Client, say: str, reason: str) -> str:
    response = client.post("/t/py-logs/workflows", json={"params": {"say": say, "raise": reason}})
    instance = str(response.json()["id"])
    assert wait_for(client, "py-logs", instance)["status"] == "errored"
    return instance


def no_injection(page: Page) -> None:
    """Nothing a tenant wrote became an element or ran."""
    assert page.evaluate("window.__xss") is None
    assert page.locator("main img, main svg, main script, main iframe").count() == 0


def test_the_page_loads_without_the_token_with_a_strict_policy_and_asks_for_it(
    page: Page, dispatcher: Dispatcher
) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto("/admin/")
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'"):
        assert directive in policy
    expect(page.locator("form#login input[name=token]")).to_be_visible()
    assert requests and all(url.startswith(dispatcher.url + "/admin/") for url in requests)


def test_the_policy_keeps_out_inline_script_framing_and_sniffing(page: Page) -> None:
    response = page.goto("/admin/")
    assert response is not None and response.status == 200
    headers = response.headers
    policy = [d.strip() for d in headers["content-security-policy"].split(";")]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy, (directive, policy)
    assert not [d for d in policy if "unsafe" in d or "*" in d or "http" in d], policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    # Chromium enforces it: a script element written into the page does not run.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__inline = 1'; document.body.append(s); }"
    )
    assert page.evaluate("window.__inline") is None


def test_a_wrong_token_is_refused_and_nothing_is_shown(page: Page) -> None:
    page.goto("/admin/")
    page.fill("input[name=token]", "not-the-token")
    page.click("form#login button[type=submit]")
    expect(page.locator("form#login .notice")).to_have_text("That token was refused.")
    assert page.locator("table#tenants").count() == 0


def test_every_call_the_console_makes_carries_the_token(page: Page, dispatcher: Dispatcher) -> None:
    calls: list[Request] = []
    page.on("request", lambda r: calls.append(r) if "/admin/tenants" in r.url else None)
    log_in(page, dispatcher.token)
    page.click("a[href='#/t/js-orders']")
    page.wait_for_selector("table#instances tbody tr")
    assert len(calls) >= 4
    for call in calls:
        assert call.headers.get("authorization") == f"Bearer {dispatcher.token}", call.url


def test_the_tenants_are_listed_after_logging_in(page: Page, dispatcher: Dispatcher) -> None:
    log_in(page, dispatcher.token)
    for tenant in ("js-orders", "py-orders", "py-logs"):
        expect(page.locator(f"table#tenants tr[data-tenant='{tenant}']")).to_have_count(1)


def test_a_failed_instance_is_found_and_its_error_and_logs_read(
    page: Page, dispatcher: Dispatcher, admin: httpx.Client, client: httpx.Client
) -> None:
    said = f"said-{uuid.uuid4().hex[:8]}"
    instance = failed_instance(client, said, "card declined")
    wait_for_logs(admin, "py-logs", with_message(said), instance=instance)
    log_in(page, dispatcher.token)
    page.click("a[href='#/t/py-logs']")
    page.select_option("select[name=status]", "errored")
    page.click("form#filters button[type=submit]")
    row = page.locator(f"table#instances tr[data-instance='{instance}']")
    expect(row).to_have_attribute("data-status", "errored")
    row.locator("a").click()
    expect(page.locator("#status")).to_have_text("errored")
    expect(page.locator("#error-message")).to_contain_text("card declined")
    logs = page.locator("ol#logs")
    expect(logs).to_contain_text(f"run {instance} says {said}")
    expect(logs).to_contain_text("PaymentDeclined: Traceback")


def test_terminating_an_instance_shows_it_terminated(
    page: Page, dispatcher: Dispatcher, client: httpx.Client
) -> None:
    instance = f"console-{uuid.uuid4().hex[:8]}"
    create(client, "js-orders", id=instance, params={"waitForEvent": True})
    wait_until_waiting_for_event(client, "js-orders", instance)
    log_in(page, dispatcher.token)
    page.goto(f"/admin/#/t/js-orders/i/{instance}")
    expect(page.locator("#status")).to_have_text("running")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[data-action=terminate]")
    expect(page.locator("#status")).to_have_text("terminated")
    expect(page.locator("#action-result")).to_have_text("terminate: done.")
    assert wait_for(client, "js-orders", instance)["status"] == "terminated"


XSS = "<img src=x onerror=\"window.__xss='{where}'\"><script>window.__xss='{where}'</script>"


def test_a_log_line_is_shown_as_text(
    page: Page, dispatcher: Dispatcher, admin: httpx.Client, client: httpx.Client
) -> None:
    attack = XSS.format(where="log") + uuid.uuid4().hex[:6]
    client.get("/t/js-logs/log", params={"text": attack}).raise_for_status()
    wait_for_logs(admin, "js-logs", with_message(attack))
    log_in(page, dispatcher.token)
    page.goto("/admin/#/t/js-logs")
    expect(page.locator("ol#logs")).to_contain_text(attack)
    no_injection(page)


def test_an_error_message_and_an_output_are_shown_as_text(
    page: Page, dispatcher: Dispatcher, client: httpx.Client
) -> None:
    reason = XSS.format(where="error")
    failed = failed_instance(client, "x", reason)
    output = XSS.format(where="output")
    response = client.post("/t/py-logs/workflows", json={"params": {"say": output}})
    complete = response.json()["id"]
    wait_for(client, "py-logs", complete)
    log_in(page, dispatcher.token)
    page.goto(f"/admin/#/t/py-logs/i/{failed}")
    expect(page.locator("#error-message")).to_contain_text(reason)
    no_injection(page)
    page.goto(f"/admin/#/t/py-logs/i/{complete}")
    expect(page.locator("#output")).to_contain_text(output.replace('"', '\\"'))
    no_injection(page)


def test_an_error_name_a_tenant_chose_is_shown_as_text(
    page: Page, dispatcher: Dispatcher, admin: httpx.Client, client: httpx.Client
) -> None:
    """A JavaScript error's name is any text its code gives it (the engine's error, the run's
    log entry)."""
    name = XSS.format(where="error-name")
    response = client.post("/t/js-logs/workflows", json={"params": {"failNamed": name}})
    assert response.status_code == 200, response.text
    instance = str(response.json()["id"])
    assert wait_for(client, "js-logs", instance)["status"] == "errored"
    wait_for_logs(admin, "js-logs", with_message("named by the tenant"), instance=instance)
    log_in(page, dispatcher.token)
    page.goto(f"/admin/#/t/js-logs/i/{instance}")
    expect(page.locator("ol#logs")).to_contain_text("named by the tenant")
    expect(page.locator("main")).to_contain_text("<img src=x onerror=")
    no_injection(page)


@pytest.mark.parametrize(
    "route",
    [
        "#/t/<img src=x onerror=\"window.__xss='tenant'\">",
        "#/t/js-orders/i/<img src=x onerror=\"window.__xss='instance'\">",
    ],
)
def test_a_tenant_name_or_instance_id_in_the_address_is_shown_as_text(
    page: Page, dispatcher: Dispatcher, route: str
) -> None:
    # Names and ids are checked on upload and create (no markup can be one); the console
    # still shows what it is given, and the API's refusal, as text.
    log_in(page, dispatcher.token)
    page.goto(f"/admin/{route}")
    expect(page.locator("main .notice")).to_be_visible()
    expect(page.locator("#crumbs")).to_contain_text("<img src=x")
    no_injection(page)


def test_an_instance_reads_on_a_phone_without_sideways_scrolling(
    page: Page, dispatcher: Dispatcher, client: httpx.Client
) -> None:
    instance = failed_instance(client, "phone " * 40, "a long reason " * 30)
    page.set_viewport_size(PHONE)
    log_in(page, dispatcher.token)
    page.goto(f"/admin/#/t/py-logs/i/{instance}")
    expect(page.locator("#error-message")).to_be_visible()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], width
