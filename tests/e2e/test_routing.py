"""Tenant traffic: /t/<tenant>/... reaches the tenant's fetch; anything else is 404."""

import httpx
import pytest

pytestmark = pytest.mark.workerd


def test_an_unknown_tenant_gets_404(client: httpx.Client) -> None:
    response = client.post("/t/nobody/workflows", json={})
    assert response.status_code == 404
    assert "unknown tenant" in response.json()["error"]


def test_a_path_outside_the_routes_gets_404(client: httpx.Client) -> None:
    assert client.get("/elsewhere").status_code == 404


@pytest.mark.parametrize("tenant", ["js-orders", "py-orders"])
def test_the_tenant_sees_the_path_without_its_prefix(client: httpx.Client, tenant: str) -> None:
    response = client.get(f"/t/{tenant}/not-workflows")
    assert response.status_code == 404
    assert response.json()["error"] == "try POST /workflows"


def test_the_dispatcher_runs_on_its_fast_paths(admin: httpx.Client) -> None:
    """Guards what the dispatcher's speed rests on; each falls back safely when missing.

    raw-rpc-arguments: the hook into workerd's private introspection module
    (runtime/raw_args.py). nativeParams, routing: native.mjs and routing.mjs carried as ES
    modules by the bundle (wrangler.jsonc's rule for **/*.mjs). This fails when any of them
    stops loading.
    """
    response = admin.get("/admin/debug/details")
    found = response.json()
    raw = [d for d in found["details"] if d["name"] == "raw-rpc-arguments"]
    assert [d["inUse"] for d in raw] == [True]
    assert (found["nativeParams"], found["routing"]) == (True, True)
