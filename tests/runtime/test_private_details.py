"""Each private detail the library relies on: in use here, and its guard's fallback when forced.

``/admin/debug/fallback/<name>`` makes a guard run as if its detail were gone (or takes the
detail again); the registry then says so, with the reason, and the dev server's log holds
exactly one JSON line for the detail's first fallback, however often it falls back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Dispatcher, create, wait_for
from tests.e2e.logs_helpers import upload_log_tenants, wait_for_logs, with_message
from tests.hostile.conftest import attack
from tools.tenant_code import upload, upload_body

pytestmark = pytest.mark.workerd

PROBES = Path(__file__).parent / "tenants"
LIBRARY_DETAILS = (
    "raw-rpc-arguments",
    "error-thenable",
    "sdk-env-hook",
    "javascript-module",
    "tenant-params-guard",
    "compat-flags-module",
    "entrypoint-surface",
)


def details(admin: httpx.Client) -> dict[str, dict[str, Any]]:
    response = admin.get("/admin/debug/details")
    assert response.status_code == 200, response.text
    return {entry["name"]: entry for entry in response.json()["details"]}


def force(admin: httpx.Client, name: str, reason: str | None) -> dict[str, Any]:
    response = admin.post(f"/admin/debug/fallback/{name}", json={"reason": reason})
    assert response.status_code == 200, response.text
    (entry,) = [e for e in response.json()["details"] if e["name"] == name]
    return dict(entry)


def fallback_lines(dispatcher: Dispatcher, name: str) -> list[dict[str, Any]]:
    """The registry's JSON lines for ``name`` in the dev server's log (workerd prints them)."""
    if dispatcher.server is None:
        pytest.skip("a deployed dispatcher's log is not readable from here")
    lines = []
    for line in dispatcher.server.log_tail(100_000).splitlines():
        start = line.find('{"event": "dynamic_workflows.fallback"')
        if start >= 0:
            found, _ = json.JSONDecoder().raw_decode(line[start:])
            if found["detail"] == name:
                lines.append(found)
    return lines


def logged(dispatcher: Dispatcher, name: str, reason: str) -> int:
    """How many lines the log holds for ``name``, once one with ``reason`` is among them."""
    deadline = time.monotonic() + 10
    while True:
        lines = fallback_lines(dispatcher, name)
        if any(line["reason"] == reason for line in lines) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert any(line["reason"] == reason for line in lines), lines
    return len(lines)


@pytest.fixture
def forced(admin: httpx.Client, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The detail named by the test's parameter, forced to fall back, and taken again after."""
    name = request.param
    yield force(admin, name, "forced by the test")
    assert force(admin, name, None)["inUse"] is True


@pytest.mark.parametrize("name", LIBRARY_DETAILS)
def test_each_library_detail_is_in_use_on_this_runtime(
    admin: httpx.Client, client: httpx.Client, name: str
) -> None:
    client.get("/t/js-orders/workflows/none")  # the binding, and with it the module, in use
    entry = details(admin)[name]
    assert entry["inUse"] is True, entry
    assert entry["reason"] is None


@pytest.mark.parametrize("forced", LIBRARY_DETAILS, indirect=True)
def test_a_forced_fallback_shows_in_the_status_with_its_reason_and_logs_one_line(
    admin: httpx.Client, dispatcher: Dispatcher, forced: dict[str, Any]
) -> None:
    assert forced["inUse"] is False
    assert forced["reason"]
    count = logged(dispatcher, forced["name"], forced["reason"])
    (line,) = [
        e for e in fallback_lines(dispatcher, forced["name"]) if e["reason"] == forced["reason"]
    ]
    assert line["fallback"] == forced["fallback"]
    force(admin, forced["name"], None)
    force(admin, forced["name"], "forced once more")  # no second line for the same detail
    time.sleep(0.5)
    assert len(fallback_lines(dispatcher, forced["name"])) == count


@pytest.mark.parametrize("forced", ["raw-rpc-arguments"], indirect=True)
def test_without_raw_arguments_a_create_still_completes_on_converted_ones(
    client: httpx.Client, forced: dict[str, Any]
) -> None:
    instance_id = create(client, "js-orders", id="converted-args-1", params={"who": "cy"})
    result = wait_for(client, "js-orders", instance_id)
    assert result["status"] == "complete", result
    assert result["output"]["greeting"] == "Hello, cy!"


@pytest.mark.parametrize("forced", ["error-thenable"], indirect=True)
def test_without_the_error_thenable_a_refusal_is_still_a_refusal_with_its_message(
    client: httpx.Client, forced: dict[str, Any]
) -> None:
    results = attack(client, "js-attacker", "names", {"names": ["get"], "args": ["-bad"]})
    assert results["get"]["ok"] is False, results
    assert "dynamic-workflows: instance id '-bad'" in results["get"]["message"], results


@pytest.mark.parametrize("forced", ["javascript-module"], indirect=True)
def test_without_the_javascript_module_the_binding_refuses_and_says_how_to_add_it(
    client: httpx.Client, dispatcher: Dispatcher, forced: dict[str, Any]
) -> None:
    response = client.post("/t/js-orders/workflows", json={"id": "no-module-1", "params": {}})
    assert response.status_code == 400, response.text
    assert "the dispatcher failed unexpectedly (reference" in response.json()["error"]
    if dispatcher.server is not None:
        assert "cannot import dynamic_workflows.mjs" in dispatcher.server.log_tail(200)


@pytest.mark.parametrize("forced", ["tenant-params-guard"], indirect=True)
def test_without_the_tenants_guard_a_symbol_gets_workerds_own_error(
    client: httpx.Client, admin: httpx.Client, forced: dict[str, Any]
) -> None:
    """A JavaScript tenant loaded now has no guard: the dispatcher checks everything else."""
    upload(admin, "js-probe-unguarded", upload_body(PROBES / "js-probe"))
    cases = [{"name": "a-symbol", "value": {"s": {"$": "symbol"}}}]
    response = client.post("/t/js-probe-unguarded/vectors", json={"cases": cases, "limit": 1})
    assert response.status_code == 200, response.text
    assert response.json()["a-symbol"]["name"] == "DataCloneError", response.text


def test_a_python_tenant_records_its_own_env_hook_fallback(
    client: httpx.Client, dispatcher: Dispatcher
) -> None:
    """The hook runs in the tenant's isolate: its guard records and logs there."""
    response = client.get("/t/py-sdk-idiom/runtime/force-hook-fallback")
    assert response.status_code == 200, response.text
    (entry,) = [e for e in response.json()["details"] if e["name"] == "sdk-env-hook"]
    assert entry["inUse"] is False
    assert "_EnvWrapper._getattr_helper" in entry["reason"]
    logged(dispatcher, "sdk-env-hook", entry["reason"])


@pytest.mark.parametrize("forced", ["entrypoint-surface"], indirect=True)
def test_without_the_entrypoint_surface_the_binding_refuses_every_call(
    client: httpx.Client, forced: dict[str, Any]
) -> None:
    """workerd calling methods on an ordinary instance of the binding: it has none of the
    four, and no ctx to name a tenant by, so nothing is created."""
    response = client.post("/t/js-orders/workflows", json={"id": "no-surface-1", "params": {}})
    assert response.status_code >= 400, response.text
    lookup = client.get("/t/js-orders/workflows/no-surface-1")
    assert lookup.status_code >= 400, lookup.text


@pytest.mark.parametrize("forced", ["entrypoint-surface"], indirect=True)
def test_without_the_entrypoint_surface_the_tail_still_records_a_tenants_logs(
    admin: httpx.Client, client: httpx.Client, forced: dict[str, Any]
) -> None:
    upload_log_tenants(admin)
    text = f"no-surface-{time.monotonic_ns()}"
    assert client.get("/t/js-logs/log", params={"text": text}).status_code == 200
    entries = wait_for_logs(admin, "js-logs", with_message(text))
    assert [e["message"] for e in entries if text in e["message"]] == [text]
    assert details(admin)["entrypoint-surface"]["inUse"] is False
