"""Per-tenant quotas: refused before the engine with QuotaExceededError, nothing created."""

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import wait_for, wait_until_waiting_for_event
from tests.e2e.quota_tenant import fresh_tenant, listed_ids, try_create

pytestmark = pytest.mark.workerd


@pytest.fixture(params=["native", "python"])
def hook_path(request: pytest.FixtureRequest, admin: httpx.Client) -> Iterator[str]:
    """The index's admission hook read in JavaScript (the default, NativeAdmission) or
    taken through its Python ``reserve`` (the protocol every hook has)."""
    if request.param == "python":
        admin.post("/admin/debug/index/python").raise_for_status()
    try:
        yield request.param
    finally:
        admin.post("/admin/debug/index/on").raise_for_status()


@pytest.mark.usefixtures("hook_path")
def test_a_create_past_the_rate_is_refused_until_the_bucket_refills(
    admin: httpx.Client, client: httpx.Client
) -> None:
    tenant = fresh_tenant(admin, "rate", creates_per_second=1, burst=2)
    assert try_create(client, tenant, id="a").status_code == 200
    assert try_create(client, tenant, id="b").status_code == 200
    refused = try_create(client, tenant, id="c")
    assert refused.status_code == 429, refused.text
    assert refused.json()["name"] == "QuotaExceededError"
    message = refused.json()["error"]
    assert "creates_per_second is 1" in message and "nothing was created" in message
    retry = re.search(r"retry in ([0-9.]+) s", message)
    assert retry is not None, message
    assert client.get(f"/t/{tenant}/workflows/c").status_code == 404
    time.sleep(float(retry.group(1)) + 0.2)
    assert try_create(client, tenant, id="c").status_code == 200
    assert sorted(listed_ids(admin, tenant)) == ["a", "b", "c"]


@pytest.mark.usefixtures("hook_path")
def test_the_unfinished_cap_counts_instances_that_complete_as_freed(
    admin: httpx.Client, client: httpx.Client
) -> None:
    tenant = fresh_tenant(admin, "cap", max_unfinished=2)
    for instance_id in ("w1", "w2"):
        assert try_create(client, tenant, id=instance_id, params={"waitForEvent": True}).is_success
    refused = try_create(client, tenant, id="w3")
    assert refused.status_code == 429, refused.text
    assert "max_unfinished is 2" in refused.json()["error"]
    wait_until_waiting_for_event(client, tenant, "w1", steps_before=1)
    client.post(f"/t/{tenant}/workflows/w1/event", json={"type": "approval", "payload": 1})
    assert wait_for(client, tenant, "w1")["status"] == "complete"
    assert try_create(client, tenant, id="w3").status_code == 200
    assert admin.get(f"/admin/tenants/{tenant}/quota").json()["unfinished"] == 2


def test_a_batch_past_the_quota_creates_none_of_its_instances(
    admin: httpx.Client, client: httpx.Client
) -> None:
    tenant = fresh_tenant(admin, "batch", creates_per_second=0.01, burst=3)
    first = client.post(f"/t/{tenant}/workflows/batch", json=[{"id": "b1"}, {"id": "b2"}])
    assert first.status_code == 200, first.text
    second = client.post(f"/t/{tenant}/workflows/batch", json=[{"id": "b3"}, {"id": "b4"}])
    assert second.status_code == 429, second.text
    assert second.json()["name"] == "QuotaExceededError"
    for instance_id in ("b3", "b4"):
        assert client.get(f"/t/{tenant}/workflows/{instance_id}").status_code == 404
    assert sorted(listed_ids(admin, tenant)) == ["b1", "b2"]


@pytest.mark.usefixtures("hook_path")
def test_a_create_the_engine_refuses_is_not_kept_in_the_index(
    admin: httpx.Client, client: httpx.Client
) -> None:
    tenant = fresh_tenant(admin, "dup")
    assert try_create(client, tenant, id="once", params={"waitForEvent": True}).is_success
    again = try_create(client, tenant, id="once")
    assert again.json()["name"] == "InstanceAlreadyExistsError", again.text
    assert listed_ids(admin, tenant) == ["once"]
    assert admin.get(f"/admin/tenants/{tenant}/quota").json()["unfinished"] == 1


def test_a_quota_is_read_and_set_per_tenant_over_the_defaults(admin: httpx.Client) -> None:
    tenant = fresh_tenant(admin, "quota")
    default = admin.get(f"/admin/tenants/{tenant}/quota").json()["quota"]
    changed = admin.put(f"/admin/tenants/{tenant}/quota", json={"burst": 7})
    assert changed.status_code == 200, changed.text
    assert changed.json()["quota"] == {**default, "burst": 7}
    assert admin.get(f"/admin/tenants/{tenant}/quota").json()["quota"]["burst"] == 7


@pytest.mark.parametrize("body", [{"burst": 0}, {"creates_per_second": "fast"}, {"nope": 1}])
def test_a_quota_that_is_not_one_gets_400_and_changes_nothing(
    admin: httpx.Client, body: object
) -> None:
    tenant = fresh_tenant(admin, "badquota")
    before = admin.get(f"/admin/tenants/{tenant}/quota").json()
    response = admin.put(f"/admin/tenants/{tenant}/quota", json=body)
    assert response.status_code == 400, response.text
    assert admin.get(f"/admin/tenants/{tenant}/quota").json() == before


def test_the_quota_of_an_unknown_tenant_is_404(admin: httpx.Client) -> None:
    assert admin.put("/admin/tenants/nobody-here/quota", json={"burst": 1}).status_code == 404


def test_a_failed_index_call_shows_the_tenant_only_a_reference_and_creates_nothing(
    admin: httpx.Client, client: httpx.Client
) -> None:
    tenant = fresh_tenant(admin, "broken")
    admin.post("/admin/debug/index/broken").raise_for_status()
    try:
        response = try_create(client, tenant, id="never")
    finally:
        admin.post("/admin/debug/index/on").raise_for_status()
    assert response.json()["name"] == "DispatcherInternalError", response.text
    assert "reference" in response.json()["error"]
    assert "reserveBroken" not in response.text and "Traceback" not in response.text
    assert client.get(f"/t/{tenant}/workflows/never").status_code == 404
