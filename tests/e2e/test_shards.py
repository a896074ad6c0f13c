"""Two Workflows (shards): tenants placed on each, and found on theirs after a restart."""

import httpx
import pytest

from tests.conftest import Dispatcher, wait_for, wait_until_waiting_for_event
from tests.e2e.quota_tenant import fresh_tenant, listed_ids, try_create

pytestmark = pytest.mark.workerd

SHARDS = {"WORKFLOWS_0", "WORKFLOWS_1"}


def tenants_on_every_shard(admin: httpx.Client) -> dict[str, str]:
    """New tenants until each shard has one (placement hashes a random identity)."""
    placed: dict[str, str] = {}
    for _ in range(40):
        tenant = fresh_tenant(admin, "shard")
        placed.setdefault(admin.get(f"/admin/tenants/{tenant}").json()["shard"], tenant)
        if set(placed) == SHARDS:
            return placed
    raise AssertionError(f"40 tenants all on {set(placed)}")


def test_a_tenant_keeps_the_shard_it_was_placed_on_across_uploads(admin: httpx.Client) -> None:
    tenant = fresh_tenant(admin, "keep")
    shard = admin.get(f"/admin/tenants/{tenant}").json()["shard"]
    assert shard in SHARDS
    for _ in range(3):
        fresh = fresh_tenant(admin, "other")  # new tenants may land elsewhere
        assert admin.get(f"/admin/tenants/{fresh}").json()["shard"] in SHARDS
    assert admin.get(f"/admin/tenants/{tenant}").json()["shard"] == shard


def test_both_shards_serve_tenants_and_get_finds_every_instance_after_a_restart(
    dispatcher: Dispatcher, admin: httpx.Client, client: httpx.Client
) -> None:
    if dispatcher.server is None:
        pytest.skip("a deployed dispatcher cannot be restarted from here")
    placed = tenants_on_every_shard(admin)
    for shard, tenant in placed.items():
        assert try_create(client, tenant, id="done", params={"who": shard}).is_success
        assert try_create(client, tenant, id="held", params={"waitForEvent": True}).is_success
        wait_for(client, tenant, "done")
        wait_until_waiting_for_event(client, tenant, "held", steps_before=1)
        described = admin.get(f"/admin/tenants/{tenant}/instances/held").json()
        assert described["shard"] == shard
    dispatcher.server.restart()
    with dispatcher.client() as fresh, dispatcher.client(admin=True) as fresh_admin:
        for shard, tenant in placed.items():
            done = fresh.get(f"/t/{tenant}/workflows/done")
            assert done.status_code == 200, done.text
            assert done.json()["output"]["greeting"] == f"Hello, {shard}!"
            assert fresh.get(f"/t/{tenant}/workflows/held").status_code == 200
            assert sorted(listed_ids(fresh_admin, tenant)) == ["done", "held"]
            event = {"type": "approval", "payload": shard}
            fresh.post(f"/t/{tenant}/workflows/held/event", json=event)
            result = wait_for(fresh, tenant, "held", timeout=120)
            assert result["output"]["approval"] == shard
