"""DELETE of a tenant terminates every unfinished instance in its index, then removes its code."""

import time

import httpx
import pytest

from tests.conftest import poll_status, wait_for, wait_until_waiting_for_event
from tests.e2e.quota_tenant import fresh_tenant, try_create

pytestmark = pytest.mark.workerd


def engine_status(admin: httpx.Client, engine_id: str) -> str:
    return str(admin.get(f"/admin/debug/raw-status/{engine_id}").json()["status"])


def test_deleting_a_tenant_terminates_its_running_sleeping_and_waiting_instances(
    admin: httpx.Client, client: httpx.Client
) -> None:
    tenant = fresh_tenant(admin, "cascade")
    params = {
        "running": {"busy": 60_000},
        "sleeping": {"sleep": "1 hour"},
        "waiting": {"waitForEvent": True},
        "done": {},
    }
    for instance_id, options in params.items():
        assert try_create(client, tenant, id=instance_id, params=options).is_success
    wait_for(client, tenant, "done")
    wait_until_waiting_for_event(client, tenant, "waiting", steps_before=1)
    for instance_id in ("running", "sleeping"):
        poll_status(client, f"/t/{tenant}/workflows/{instance_id}", {"running", "waiting"})
    time.sleep(0.5)  # the busy and sleeping steps have started
    engine_ids = {
        i: admin.get(f"/admin/tenants/{tenant}/instances/{i}").json()["engineId"] for i in params
    }
    deleted = admin.delete(f"/admin/tenants/{tenant}")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["terminatedInstances"] == 3
    for instance_id in ("running", "sleeping", "waiting"):
        assert engine_status(admin, engine_ids[instance_id]) == "terminated", instance_id
    assert engine_status(admin, engine_ids["done"]) == "complete"
    assert admin.get(f"/admin/tenants/{tenant}").status_code == 404


def test_deleting_a_tenant_without_instances_terminates_none(admin: httpx.Client) -> None:
    tenant = fresh_tenant(admin, "empty")
    assert admin.delete(f"/admin/tenants/{tenant}").json()["terminatedInstances"] == 0
