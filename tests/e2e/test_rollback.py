"""Rolling a tenant back: its ``current`` pointed at an earlier stored version; the tenant list."""

import httpx
import pytest

from tests.conftest import create, wait_for
from tests.e2e.test_lifecycle import tagged
from tools.tenant_code import TENANTS_DIR, upload, upload_body

pytestmark = pytest.mark.workerd


@pytest.mark.parametrize("directory", ["js-orders", "py-orders"])
def test_a_rollback_makes_an_earlier_version_current_for_new_instances(
    admin: httpx.Client, client: httpx.Client, directory: str
) -> None:
    tenant = f"roll-{directory}"
    first = upload(admin, tenant, tagged(directory, "v1"))
    second = upload(admin, tenant, tagged(directory, "v2"))
    on_second = create(client, tenant, id="on-second", params={})
    rolled = admin.put(f"/admin/tenants/{tenant}/current", json={"version": first})
    assert rolled.status_code == 200, rolled.text
    assert rolled.json() == {"tenant": tenant, "version": first, "previous": second}
    assert admin.get(f"/admin/tenants/{tenant}").json()["version"] == first
    fresh = create(client, tenant, id="after-rollback", params={})
    assert wait_for(client, tenant, fresh)["output"]["codeTag"] == "v1"
    assert wait_for(client, tenant, on_second)["output"]["codeTag"] == "v2"


def test_a_rollback_keeps_the_tenants_identity_and_shard(admin: httpx.Client) -> None:
    first = upload(admin, "roll-same", tagged("js-orders", "v1"))
    upload(admin, "roll-same", tagged("js-orders", "v2"))
    before = admin.get("/admin/tenants/roll-same").json()
    admin.put("/admin/tenants/roll-same/current", json={"version": first}).raise_for_status()
    after = admin.get("/admin/tenants/roll-same").json()
    assert (after["uid"], after["shard"]) == (before["uid"], before["shard"])
    assert after["versions"] == before["versions"]


def test_the_history_lists_each_version_with_its_upload_time_oldest_first(
    admin: httpx.Client,
) -> None:
    first = upload(admin, "roll-history", tagged("js-orders", "v1"))
    second = upload(admin, "roll-history", tagged("js-orders", "v2"))
    history = admin.get("/admin/tenants/roll-history").json()["history"]
    assert [entry["version"] for entry in history] == [first, second]
    assert all(entry["uploaded"].endswith("Z") for entry in history), history


def test_a_rollback_to_a_version_the_tenant_never_had_is_404(admin: httpx.Client) -> None:
    upload(admin, "roll-missing", upload_body(TENANTS_DIR / "js-orders"))
    response = admin.put("/admin/tenants/roll-missing/current", json={"version": "0" * 20})
    assert response.status_code == 404
    assert "GET /admin/tenants/roll-missing lists its versions" in response.json()["error"]


@pytest.mark.parametrize("body", [{}, {"version": 1}, {"version": "HEAD"}, ["0" * 20]])
def test_a_rollback_without_a_version_is_400_saying_what_to_send(
    admin: httpx.Client, body: object
) -> None:
    upload(admin, "roll-bad", upload_body(TENANTS_DIR / "js-orders"))
    response = admin.put("/admin/tenants/roll-bad/current", json=body)
    assert response.status_code == 400
    assert '{"version": "<20 hex digits>"}' in response.json()["error"]


def test_a_rollback_of_an_unknown_tenant_is_404(admin: httpx.Client) -> None:
    response = admin.put("/admin/tenants/roll-nobody/current", json={"version": "0" * 20})
    assert response.status_code == 404


def test_the_current_route_takes_only_put(admin: httpx.Client) -> None:
    assert admin.get("/admin/tenants/js-orders/current").status_code == 405


def test_the_tenant_list_names_uploaded_tenants_page_by_page(admin: httpx.Client) -> None:
    for name in ("list-a", "list-b", "list-c"):
        upload(admin, name, upload_body(TENANTS_DIR / "js-orders"))
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = admin.get("/admin/tenants", params=params).json()
        assert len(page["tenants"]) <= 2
        seen += [entry["tenant"] for entry in page["tenants"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert {"list-a", "list-b", "list-c", "js-orders"} <= set(seen)
    assert len(seen) == len(set(seen))


def test_a_deleted_tenant_leaves_the_list(admin: httpx.Client) -> None:
    upload(admin, "list-gone", upload_body(TENANTS_DIR / "js-orders"))
    admin.delete("/admin/tenants/list-gone").raise_for_status()
    listed = admin.get("/admin/tenants", params={"limit": "100"}).json()["tenants"]
    assert "list-gone" not in [entry["tenant"] for entry in listed]


@pytest.mark.parametrize("limit", ["0", "101", "x"])
def test_a_bad_tenant_list_limit_is_400(admin: httpx.Client, limit: str) -> None:
    response = admin.get("/admin/tenants", params={"limit": limit})
    assert response.status_code == 400
    assert "limit must be a whole number from 1 to 100" in response.json()["error"]
