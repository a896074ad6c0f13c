"""Tenant traffic never carries the caller's credentials to tenant code, and a tenant's answer
never carries headers that act on the origin every tenant's pages share."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, Dispatcher

pytestmark = pytest.mark.workerd

#: The dispatcher's own private detail: tenant traffic routed by routing.mjs, or from Python.
ROUTING = "dispatcher-routing-module"
#: Tenant ``header-echo`` answers with every request header it received.
ECHO = "/t/header-echo/"


def received(client: httpx.Client, headers: dict[str, str]) -> dict[str, str]:
    response = client.get(ECHO, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_admin_bearer_token_does_not_reach_a_tenant(dispatcher: Dispatcher) -> None:
    with dispatcher.client(admin=True) as admin:
        seen = received(admin, {})
    assert "authorization" not in seen
    assert ADMIN_TOKEN not in str(seen)


def test_cookies_do_not_reach_a_tenant(client: httpx.Client) -> None:
    seen = received(client, {"cookie": "CF_Authorization=access-jwt; session=s3cret"})
    assert "cookie" not in seen
    assert "s3cret" not in str(seen)


@pytest.mark.parametrize(
    "name",
    [
        "proxy-authorization",
        "cf-access-jwt-assertion",
        "cf-access-client-id",
        "cf-access-client-secret",
        "Authorization",
    ],
)
def test_a_credential_header_does_not_reach_a_tenant(client: httpx.Client, name: str) -> None:
    seen = received(client, {name: "credential-value"})
    assert name.lower() not in seen
    assert "credential-value" not in str(seen)


def test_other_headers_reach_the_tenant_unchanged(client: httpx.Client) -> None:
    seen = received(client, {"x-order-ref": "A-1", "accept-language": "fr"})
    assert seen["x-order-ref"] == "A-1"
    assert seen["accept-language"] == "fr"


@pytest.fixture(params=["routing-module", "python-fallback"])
def routed(request: pytest.FixtureRequest, admin: httpx.Client) -> Iterator[str]:
    """Tenant traffic routed through ``routing.mjs``, or from Python (its fallback)."""
    if request.param == "routing-module":
        yield request.param
        return
    forced = admin.post(f"/admin/debug/fallback/{ROUTING}", json={"reason": "forced by test"})
    assert forced.status_code == 200, forced.text
    yield request.param
    taken = admin.post(f"/admin/debug/fallback/{ROUTING}", json={"reason": None})
    assert taken.status_code == 200, taken.text


def test_a_tenants_answer_loses_the_headers_that_act_on_every_tenants_pages(
    client: httpx.Client, routed: str
) -> None:
    """A service worker scope beyond the tenant's path, cookies (a cookie bomb at Path=/),
    Clear-Site-Data, error reports on every page (NEL, Report-To) and how browsers reach the
    host (Alt-Svc, HSTS) would reach every tenant's pages (and the console, on one hostname)."""
    response = client.get("/t/header-echo/origin-wide")
    assert response.status_code == 201, response.text
    assert response.text == "answer"
    for name in (
        "service-worker-allowed",
        "set-cookie",
        "clear-site-data",
        "nel",
        "report-to",
        "alt-svc",
        "strict-transport-security",
    ):
        assert name not in response.headers, (routed, name, response.headers)
    assert response.headers["x-tenant-header"] == "kept"
