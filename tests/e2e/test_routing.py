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
    """Guards what the dispatcher's speed rests on: the hook into workerd's private
    introspection module (raw-rpc-arguments, runtime/raw_args.py) and the library's
    JavaScript module in the bundle (javascript-module). This fails when either stops."""
    admin.get("/t/js-orders/workflows/none")  # a call through the binding loads the module
    response = admin.get("/admin/debug/details")
    in_use = {d["name"]: d["inUse"] for d in response.json()["details"]}
    assert (in_use["raw-rpc-arguments"], in_use["javascript-module"]) == (True, True)
