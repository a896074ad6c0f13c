"""Instance handles work from JavaScript and Python tenants: every method, every option."""

import httpx
import pytest

from tests.conftest import KINDS, act, create, status, wait_for, wait_until_waiting_for_event

pytestmark = pytest.mark.workerd


@pytest.mark.parametrize("tenant", KINDS)
def test_create_returns_the_id_the_tenant_chose(client: httpx.Client, tenant: str) -> None:
    assert create(client, tenant, id="chosen-1", params={}) == "chosen-1"


@pytest.mark.parametrize("tenant", KINDS)
def test_create_without_an_id_returns_a_fresh_id_the_tenant_can_get(
    client: httpx.Client, tenant: str
) -> None:
    instance_id = create(client, tenant, params={"who": "x"})
    assert status(client, tenant, instance_id)["id"] == instance_id


@pytest.mark.parametrize("tenant", KINDS)
def test_create_batch_creates_every_item(client: httpx.Client, tenant: str) -> None:
    items = [{"id": f"batch-{n}", "params": {"who": str(n)}} for n in range(3)]
    response = client.post(f"/t/{tenant}/workflows/batch", json=items)
    assert response.status_code == 200, response.text
    assert response.json()["ids"] == ["batch-0", "batch-1", "batch-2"]
    for n in range(3):
        assert wait_for(client, tenant, f"batch-{n}")["output"]["greeting"] == f"Hello, {n}!"


@pytest.mark.parametrize("tenant", KINDS)
def test_pause_and_resume_reach_the_engine(client: httpx.Client, tenant: str) -> None:
    instance_id = create(client, tenant, params={"waitForEvent": True})
    wait_until_waiting_for_event(client, tenant, instance_id)
    assert act(client, tenant, instance_id, "pause").status_code == 200
    assert wait_for(client, tenant, instance_id, {"paused"})["status"] == "paused"
    assert act(client, tenant, instance_id, "resume").status_code == 200
    wait_for(client, tenant, instance_id, {"waiting", "running"})
    act(client, tenant, instance_id, "event", {"type": "approval", "payload": None})
    assert wait_for(client, tenant, instance_id)["status"] == "complete"


@pytest.mark.parametrize("tenant", KINDS)
def test_terminate_with_options_terminates(client: httpx.Client, tenant: str) -> None:
    instance_id = create(client, tenant, params={"waitForEvent": True})
    wait_until_waiting_for_event(client, tenant, instance_id)
    response = act(client, tenant, instance_id, "terminate", {"rollback": False})
    assert response.status_code == 200, response.text
    assert wait_for(client, tenant, instance_id)["status"] == "terminated"


@pytest.mark.parametrize("tenant", KINDS)
def test_restart_with_options_runs_the_instance_again(client: httpx.Client, tenant: str) -> None:
    instance_id = create(client, tenant, params={"waitForEvent": True})
    wait_until_waiting_for_event(client, tenant, instance_id)
    act(client, tenant, instance_id, "terminate")
    wait_for(client, tenant, instance_id)
    response = act(client, tenant, instance_id, "restart", {})
    assert response.status_code == 200, response.text
    wait_until_waiting_for_event(client, tenant, instance_id)
    act(client, tenant, instance_id, "event", {"type": "approval", "payload": "again"})
    result = wait_for(client, tenant, instance_id)
    assert result["status"] == "complete"
    assert result["output"]["approval"] == "again"
