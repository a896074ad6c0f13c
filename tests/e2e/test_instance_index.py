"""The instance index: a tenant's instances listed newest first, with live engine status."""

import httpx
import pytest

from tests.conftest import wait_for, wait_until_waiting_for_event
from tests.e2e.quota_tenant import fresh_tenant, listed, listed_ids, try_create

pytestmark = pytest.mark.workerd


def test_listing_pages_newest_first_with_a_cursor(
    admin: httpx.Client, client: httpx.Client
) -> None:
    tenant = fresh_tenant(admin, "list")
    ids = [f"i{n}" for n in range(5)]
    for instance_id in ids:
        assert try_create(client, tenant, id=instance_id).is_success
    pages = []
    page = listed(admin, tenant, limit=2)
    pages.append([item["id"] for item in page["instances"]])
    while page["nextCursor"]:
        page = listed(admin, tenant, limit=2, cursor=page["nextCursor"])
        pages.append([item["id"] for item in page["instances"]])
    assert pages == [["i4", "i3"], ["i2", "i1"], ["i0"]]


def test_a_listed_instance_carries_its_code_version_creation_time_and_live_status(
    admin: httpx.Client, client: httpx.Client
) -> None:
    tenant = fresh_tenant(admin, "item")
    assert try_create(client, tenant, id="one", params={"who": "ops"}).is_success
    wait_for(client, tenant, "one")
    (item,) = listed(admin, tenant)["instances"]
    version = admin.get(f"/admin/tenants/{tenant}").json()["version"]
    assert item["id"] == "one" and item["tenant"] == tenant
    assert item["codeVersion"] == version
    assert item["createdAt"].endswith("Z")
    assert item["status"] == "complete"


def test_listing_filters_by_live_status(admin: httpx.Client, client: httpx.Client) -> None:
    tenant = fresh_tenant(admin, "filter")
    for instance_id in ("done-1", "done-2"):
        assert try_create(client, tenant, id=instance_id).is_success
    assert try_create(client, tenant, id="held", params={"waitForEvent": True}).is_success
    for instance_id in ("done-1", "done-2"):
        wait_for(client, tenant, instance_id)
    wait_until_waiting_for_event(client, tenant, "held", steps_before=1)
    assert listed_ids(admin, tenant, status="complete", limit=1) == ["done-2", "done-1"]
    assert listed_ids(admin, tenant, status="running,waiting") == ["held"]


@pytest.mark.parametrize(
    "query", [{"cursor": "not-ours"}, {"limit": "0"}, {"limit": "101"}, {"status": "asleep"}]
)
def test_a_listing_query_that_is_not_valid_gets_400(
    admin: httpx.Client, query: dict[str, str]
) -> None:
    response = admin.get("/admin/tenants/js-orders/instances", params=query)
    assert response.status_code == 400, response.text


def test_the_listing_of_an_unknown_tenant_is_404(admin: httpx.Client) -> None:
    assert admin.get("/admin/tenants/nobody-here/instances").status_code == 404
