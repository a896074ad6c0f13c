"""A tenant reaches only its own instances; ids are per tenant."""

import httpx
import pytest

from tests.conftest import KINDS, RIVAL, act, create, wait_for, wait_until_waiting_for_event

pytestmark = pytest.mark.workerd


@pytest.fixture(scope="module", params=KINDS)
def victim(request: pytest.FixtureRequest, client: httpx.Client) -> tuple[str, str]:
    """An instance of one tenant, left waiting for an event."""
    tenant = request.param
    instance_id = create(client, tenant, id="secret-order", params={"waitForEvent": True})
    wait_until_waiting_for_event(client, tenant, instance_id)
    return tenant, instance_id


def test_get_of_another_tenants_instance_is_not_found(
    client: httpx.Client, victim: tuple[str, str]
) -> None:
    tenant, instance_id = victim
    response = client.get(f"/t/{RIVAL[tenant]}/workflows/{instance_id}")
    assert response.status_code == 404, response.text
    assert "instance.not_found" in response.json()["error"]


@pytest.mark.parametrize("action", ["event", "pause", "terminate", "restart", "resume"])
def test_acting_on_another_tenants_instance_is_not_found(
    client: httpx.Client, victim: tuple[str, str], action: str
) -> None:
    tenant, instance_id = victim
    body = {"type": "approval", "payload": "forged"} if action == "event" else None
    assert act(client, RIVAL[tenant], instance_id, action, body).status_code == 404


def test_the_victims_instance_is_untouched_by_the_rival(
    client: httpx.Client, victim: tuple[str, str]
) -> None:
    tenant, instance_id = victim
    for action in ("event", "pause", "terminate"):
        act(client, RIVAL[tenant], instance_id, action, {"type": "approval", "payload": "rival"})
    wait_until_waiting_for_event(client, tenant, instance_id)
    act(client, tenant, instance_id, "event", {"type": "approval", "payload": "owner"})
    result = wait_for(client, tenant, instance_id)
    assert result["status"] == "complete"
    assert result["output"]["approval"] == "owner"


@pytest.mark.parametrize("tenant", KINDS)
def test_two_tenants_may_both_create_order_1(client: httpx.Client, tenant: str) -> None:
    mine = create(client, tenant, id="order-1", params={"who": "mine"})
    theirs = create(client, RIVAL[tenant], id="order-1", params={"who": "theirs"})
    assert mine == theirs == "order-1"
    assert wait_for(client, tenant, mine)["output"]["greeting"] == "Hello, mine!"
    assert wait_for(client, RIVAL[tenant], theirs)["output"]["greeting"] == "Hello, theirs!"


@pytest.mark.parametrize("tenant", KINDS)
def test_a_tenant_cannot_create_an_id_twice(client: httpx.Client, tenant: str) -> None:
    create(client, tenant, id="twice", params={})
    response = client.post(f"/t/{tenant}/workflows", json={"id": "twice", "params": {}})
    assert response.status_code >= 400
    assert "already" in response.json()["error"]
