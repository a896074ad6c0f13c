"""An operator's actions stay within the tenant named in the path: another tenant's instance
is a 404 for each of them, and a bulk terminate touches no other tenant's instances."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import create, wait_for, wait_until_waiting_for_event
from tests.hostile.conftest import Victim

pytestmark = pytest.mark.workerd


def act(admin: httpx.Client, tenant: str, instance: str, action: str) -> httpx.Response:
    return admin.post(f"/admin/tenants/{tenant}/instances/{instance}/{action}")


def entry(admin: httpx.Client, tenant: str, instance: str) -> dict[str, object]:
    response = admin.get(f"/admin/tenants/{tenant}/instances/{instance}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def waiting(client: httpx.Client, tenant: str) -> str:
    instance = f"op-{uuid.uuid4().hex[:10]}"
    create(client, tenant, id=instance, params={"waitForEvent": True})
    wait_until_waiting_for_event(client, tenant, instance)
    return instance


def test_another_tenants_instance_is_a_404_for_every_action(
    admin: httpx.Client, client: httpx.Client, victim: Victim
) -> None:
    # By the victim's own id, and by its engine id (scoped once more: not found either).
    for instance in (victim.id, victim.engine_id):
        shown = admin.get(f"/admin/tenants/py-orders/instances/{instance}")
        assert shown.status_code == 404, shown.text
        for action in ("pause", "resume", "terminate", "restart"):
            response = act(admin, "py-orders", instance, action)
            assert response.status_code == 404, (action, response.text)
    assert admin.post("/admin/tenants/py-rival/terminate-unfinished").status_code == 200
    victim.assert_untouched(client)


def test_terminate_unfinished_ends_only_that_tenants_unfinished_instances(
    admin: httpx.Client, client: httpx.Client, victim: Victim
) -> None:
    tenant = "js-rival"
    running = [waiting(client, tenant) for _ in range(2)]
    done = create(client, tenant, params={"who": "x"})
    wait_for(client, tenant, done)
    response = admin.post(f"/admin/tenants/{tenant}/terminate-unfinished")
    assert response.status_code == 200, response.text
    assert response.json()["terminated"] >= 2
    for instance in running:
        assert wait_for(client, tenant, instance)["status"] == "terminated"
    assert entry(admin, tenant, done)["status"] == "complete"
    victim.assert_untouched(client)
