"""Tenants loaded with the library's ``load_tenant_worker``, as the dispatcher loads them all."""

import httpx
import pytest

from dispatcher.config import TENANT_LIMITS
from tests.conftest import Dispatcher, create, wait_for
from tools.tenant_code import TENANTS_DIR, upload, upload_body

pytestmark = pytest.mark.workerd


@pytest.mark.parametrize("tenant", ["js-orders", "py-orders"])
def test_a_tenant_loaded_by_the_library_runs_a_workflow_to_complete(
    client: httpx.Client, tenant: str
) -> None:
    instance_id = create(client, tenant, id="loaded-1", params={"who": "lee"})
    result = wait_for(client, tenant, instance_id)
    assert result["status"] == "complete", result
    assert result["output"]["greeting"] == "Hello, lee!"


@pytest.mark.parametrize("route", ["/t/js-outbound/", "/t/py-probe/outbound"])
def test_a_tenants_fetch_to_a_loopback_address_is_refused(
    client: httpx.Client, dispatcher: Dispatcher, route: str
) -> None:
    # The dispatcher's own address: reachable from workerd, so only globalOutbound null stops it.
    response = client.get(route, params={"url": f"{dispatcher.url}/"})
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert outcome["reached"] is False, outcome
    assert "not permitted to access the internet" in outcome["error"]


def test_a_python_tenant_imports_the_library_from_its_modules_alone(client: httpx.Client) -> None:
    # py-sdk-idiom uploads main.py only; the facade comes from the loader.
    response = client.post("/t/py-sdk-idiom/facade/create?id=imports-1", json={"who": "kim"})
    assert response.status_code == 200, response.text
    assert response.json()["id"] == "imports-1"


def test_a_python_tenant_sees_the_development_runtime_exactly_when_it_runs_on_it(
    client: httpx.Client, dispatcher: Dispatcher
) -> None:
    if dispatcher.mode == "deployed":
        pytest.skip("a deployed dispatcher runs the official runtime: nothing to tell apart")
    response = client.get("/t/py-sdk-idiom/runtime/flags")
    assert response.status_code == 200, response.text
    expected = dispatcher.mode.startswith("offline")
    assert response.json()["developmentRuntime"] is expected


def test_the_dev_server_bundles_no_module_twice(dispatcher: Dispatcher) -> None:
    if dispatcher.server is None:
        pytest.skip("no local dev server log")
    log = dispatcher.server.log_path.read_text(errors="replace")
    assert "Ready on" in log
    assert "Ignoring duplicate module" not in log


#: A Python tenant that reports whether it runs with the external (vendored) SDK.
SDK_REPORTER = """
import _cloudflare_compat_flags as flags
import workers
from workers import Response, WorkerEntrypoint, WorkflowEntrypoint


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        return None


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response.json(
            {
                "externalSdk": bool(getattr(flags, "enable_python_external_sdk", False)),
                "sdk": workers.__file__,
            }
        )
"""


@pytest.mark.parametrize("date", ["2026-04-20", "2026-11-01"])
def test_a_python_tenant_runs_on_the_vendored_sdk_whether_or_not_its_date_enables_it(
    admin: httpx.Client, client: httpx.Client, date: str
) -> None:
    # Worker Loader adds disable_python_external_sdk to a Python worker that does not name
    # enable_python_external_sdk, at any date: the loader names it at every date.
    tenant = f"py-sdk-{date}"
    modules = {"main.py": SDK_REPORTER}
    upload(admin, tenant, {"mainModule": "main.py", "modules": modules, "compatibilityDate": date})
    report = client.get(f"/t/{tenant}/").json()
    assert report["externalSdk"] is True, report
    assert "/python_modules/workers/" in report["sdk"], report


@pytest.mark.parametrize("date", ["2026-04-20", "2026-11-01"])
def test_a_python_tenant_dated_before_or_after_the_sdk_default_runs_a_workflow(
    admin: httpx.Client, client: httpx.Client, date: str
) -> None:
    tenant = f"py-dated-{date}"
    upload(admin, tenant, upload_body(TENANTS_DIR / "py-orders", compatibilityDate=date))
    instance_id = create(client, tenant, id="dated-1", params={"who": "ida"})
    result = wait_for(client, tenant, instance_id)
    assert result["status"] == "complete", result
    assert result["output"]["greeting"] == "Hello, ida!"


def test_a_tenant_is_loaded_with_the_limits_cloudflare_enforces_and_no_network(
    admin: httpx.Client,
) -> None:
    """What production relies on for a tenant's CPU and subrequests: the WorkerCode carries
    TENANT_LIMITS (local workerd ignores them) and a null globalOutbound."""
    for tenant, main in (("js-orders", "index.js"), ("py-orders", "main.py")):
        built = admin.get(f"/admin/debug/worker-code/{tenant}").json()
        assert built == {"limits": TENANT_LIMITS, "globalOutboundIsNull": True, "mainModule": main}
