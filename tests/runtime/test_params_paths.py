"""Every path that checks params runs the one table of cases and gives each the same verdict.

``tests/vectors/params.json`` is the table (the core's path is tests/core/test_params_rules.py).
Here:

- ``node``: the library's JavaScript (``library.mjs``'s ``checkParams``) under the pinned Node;
- ``js-tenant``: a JavaScript tenant's create in real workerd, checked in the tenant first
  (the loader's guard) and again by the dispatcher;
- ``js-dispatcher``: the same past the tenant's guard, so only the dispatcher checks;
- ``py-sdk``, ``py-facade``: a Python tenant's create through the SDK's own idiom
  (``self.env.WORKFLOWS``) and through ``dynamic_workflows.tenant.Workflows``.

A refusal is the same ``InvalidParamsError`` message on every path; an accepted case creates an
instance whose run sees the params as sent (``stored``).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dynamic_workflows.core.tenancy import TenantBinding
from tests.conftest import poll_status
from tests.runtime.params_vectors import CASES, JS_CASES, expected

pytestmark = pytest.mark.workerd

PATHS = ["js-tenant", "js-dispatcher", "py-sdk", "py-facade"]


def tenant_limit(admin: httpx.Client, tenant: str) -> int:
    """What the envelope and the tenant's metadata leave of 1 MiB (the dispatcher's tags)."""
    found = admin.get(f"/admin/tenants/{tenant}").json()
    metadata = {"tenantId": tenant, "tenantUid": found["uid"], "codeVersion": found["version"]}
    return TenantBinding.create(metadata, "tenantUid").params_limit


@pytest.fixture(scope="module")
def outcomes(client: httpx.Client, admin: httpx.Client) -> dict[str, Any]:
    """Every case's outcome on every path (one request a path), and each path's limit."""
    found: dict[str, Any] = {}
    for path in PATHS:
        tenant = "js-probe" if path.startswith("js") else "py-probe"
        limit = tenant_limit(admin, tenant)
        body = {"cases": CASES, "limit": limit}
        if tenant == "js-probe":
            body["bypass"] = path == "js-dispatcher"
        else:
            body["idiom"] = path.removeprefix("py-")
        response = client.post(f"/t/{tenant}/vectors", json=body, timeout=120)
        assert response.status_code == 200, response.text
        found[path] = {"limit": limit, "results": response.json()}
    return found


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_each_path_in_workerd_gives_each_case_the_same_verdict_and_message(
    outcomes: dict[str, Any], path: str, case: dict[str, Any]
) -> None:
    results, limit = outcomes[path]["results"], outcomes[path]["limit"]
    if path.startswith("js") != (case["name"] in JS_CASES) and path.startswith("js"):
        assert case["name"] not in results  # a Python value: JavaScript has none
        return
    if case["name"] not in results:
        assert path.startswith("py") and case["name"] in JS_CASES  # JavaScript's value
        return
    got = dict(results[case["name"]])
    got.pop("id", None)
    if path == "js-dispatcher" and case.get("dispatcher") is False:
        # A symbol cannot leave the tenant's isolate: only the tenant's guard can name it.
        assert got["name"] == "DataCloneError", got
        return
    assert got == expected(case, limit)


def test_every_case_ran_in_both_languages_or_in_the_one_that_has_its_value(
    outcomes: dict[str, Any],
) -> None:
    ran = set(outcomes["js-tenant"]["results"]) | set(outcomes["py-sdk"]["results"])
    assert ran == {case["name"] for case in CASES}


@pytest.mark.parametrize("path", ["js-tenant", "js-dispatcher"])
@pytest.mark.parametrize(
    "case", [c for c in CASES if "stored" in c], ids=[c["name"] for c in CASES if "stored" in c]
)
def test_an_accepted_case_reaches_the_run_as_it_was_sent(
    outcomes: dict[str, Any], admin: httpx.Client, path: str, case: dict[str, Any]
) -> None:
    created = outcomes[path]["results"][case["name"]]
    assert created["ok"] is True, created
    result = poll_status(admin, f"/admin/tenants/js-probe/instances/{created['id']}")
    assert result["status"] == "complete", result
    assert result["output"] == {"payload": case["stored"]}


@pytest.mark.parametrize(
    ("route", "payload"),
    [
        ("/t/js-probe/no-params", {}),
        ("/t/js-probe/no-options", {}),
        ("/t/py-sdk-idiom/sdk/no-params?id=no-params-sdk", {}),
        ("/t/py-sdk-idiom/facade/no-params?id=no-params-facade", {}),
        ("/t/js-probe/null-params", None),
    ],
    ids=["js-no-params", "js-no-options", "py-sdk-no-params", "py-facade-no-params", "js-null"],
)
def test_params_left_out_reach_the_run_as_an_empty_object_as_with_a_plain_binding(
    client: httpx.Client, admin: httpx.Client, route: str, payload: Any
) -> None:
    """A plain Workflow binding's create() stores ``{}`` for params left out (and null for
    null): miniflare's binding defaults ``params = {}``, and a plain JavaScript Workflow's
    run sees ``{}`` for ``create()`` and ``create({})`` (checked beside this library)."""
    response = client.post(route) if route.startswith("/t/js") else client.get(route)
    assert response.status_code == 200, response.text
    tenant = route.split("/")[2]
    result = poll_status(admin, f"/admin/tenants/{tenant}/instances/{response.json()['id']}")
    assert result["status"] == "complete", result
    assert result["output"]["payload"] == payload
