"""Tenant traffic never carries the caller's credentials to tenant code."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, Dispatcher

pytestmark = pytest.mark.workerd

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
