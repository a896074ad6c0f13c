"""A deleted tenant's instances do not pass to whoever uploads under its name next."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from dynamic_workflows import TenantScope
from tests.conftest import (
    Dispatcher,
    act,
    create,
    engine_error,
    poll_status,
    wait_for,
    wait_until_waiting_for_event,
)
from tests.hostile.conftest import Victim
from tools.tenant_code import TENANTS_DIR, upload, upload_body

pytestmark = pytest.mark.workerd

TENANT = "reborn"
CODE = upload_body(TENANTS_DIR / "js-orders")
#: The deleted tenant's instances, each waiting for an event: one per test that touches one.
OLD_IDS = ("kept", "reused", "rerun")


@dataclass
class Rebirth:
    """The tenant ``reborn``, deleted with instances waiting, then uploaded again."""

    old_uid: str
    new_uid: str
    engine_ids: dict[str, str]  # the old instances' engine ids

    def raw_status_path(self, instance_id: str) -> str:
        return f"/admin/debug/raw-status/{self.engine_ids[instance_id]}"


def _uid(admin: httpx.Client) -> str:
    response = admin.get(f"/admin/tenants/{TENANT}")
    assert response.status_code == 200, response.text
    return str(response.json()["uid"])


@pytest.fixture(scope="module")
def reborn(client: httpx.Client, admin: httpx.Client) -> Rebirth:
    upload(admin, TENANT, CODE)
    old_uid = _uid(admin)
    engine_ids = {}
    for instance_id in OLD_IDS:
        create(client, TENANT, id=instance_id, params={"waitForEvent": True})
    for instance_id in OLD_IDS:
        wait_until_waiting_for_event(client, TENANT, instance_id)
        described = admin.get(f"/admin/tenants/{TENANT}/instances/{instance_id}").json()
        engine_ids[instance_id] = described["engineId"]
    assert admin.delete(f"/admin/tenants/{TENANT}").status_code == 200
    upload(admin, TENANT, CODE)
    return Rebirth(old_uid, _uid(admin), engine_ids)


def test_a_tenant_uploaded_under_a_deleted_name_gets_a_new_identity(reborn: Rebirth) -> None:
    assert reborn.new_uid != reborn.old_uid


def test_instance_ids_are_scoped_by_the_identity_not_the_name(reborn: Rebirth) -> None:
    assert reborn.engine_ids["kept"] == TenantScope.for_value(reborn.old_uid).scope("kept")
    assert not reborn.engine_ids["kept"].startswith(TenantScope.for_value(TENANT).prefix)


def test_the_new_tenant_cannot_read_the_deleted_tenants_instance(
    client: httpx.Client, reborn: Rebirth
) -> None:
    response = client.get(f"/t/{TENANT}/workflows/kept")
    assert response.status_code == 404
    assert "not_found" in response.json()["error"]


def test_the_new_tenant_cannot_send_the_deleted_tenants_instance_an_event(
    client: httpx.Client, admin: httpx.Client, reborn: Rebirth
) -> None:
    event = {"type": "approval", "payload": "new owner"}
    assert act(client, TENANT, "kept", "event", event).status_code == 404
    old = admin.get(reborn.raw_status_path("kept")).json()
    assert old["status"] == "terminated", old  # by the DELETE, from the tenant's index
    assert old["output"] is None


def test_the_admin_api_does_not_show_the_new_tenant_the_deleted_tenants_instance(
    admin: httpx.Client, reborn: Rebirth
) -> None:
    assert admin.get(f"/admin/tenants/{TENANT}/instances/kept").status_code == 404


def test_the_new_tenant_may_reuse_the_deleted_tenants_instance_ids(
    client: httpx.Client, admin: httpx.Client, reborn: Rebirth
) -> None:
    create(client, TENANT, id="reused", params={"who": "new owner"})
    assert wait_for(client, TENANT, "reused")["output"]["greeting"] == "Hello, new owner!"
    old = admin.get(reborn.raw_status_path("reused")).json()
    assert old["status"] == "terminated", old


def test_the_deleted_tenants_instance_ends_errored_when_the_engine_runs_it_again(
    admin: httpx.Client, reborn: Rebirth, dispatcher: Dispatcher
) -> None:
    # A restart re-runs the instance from the start, as a wake from a long sleep or a
    # retry does in production: the dispatcher loads its tenant and finds it deleted.
    restarted = admin.post(f"/admin/debug/raw-action/{reborn.engine_ids['rerun']}/restart")
    assert restarted.status_code == 200, restarted.text
    ended = poll_status(admin, reborn.raw_status_path("rerun"))
    assert ended["status"] == "errored", ended
    message = engine_error(dispatcher, ended["error"], "TenantDeletedError")
    assert message.startswith(f"tenant {TENANT!r} was deleted"), ended


def test_deleting_and_recreating_a_tenant_leaves_other_tenants_instances_alone(
    client: httpx.Client, admin: httpx.Client, victim: Victim
) -> None:
    upload(admin, "reborn-twice", CODE)
    assert admin.delete("/admin/tenants/reborn-twice").status_code == 200
    upload(admin, "reborn-twice", CODE)
    victim.assert_untouched(client)
