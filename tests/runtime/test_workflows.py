"""Runs reach the right tenant's TenantWorkflow, with the right event, through the real engine."""

from typing import Any

import httpx
import pytest

from tests.conftest import (
    KINDS,
    Dispatcher,
    act,
    create,
    engine_error,
    wait_for,
    wait_until_waiting_for_event,
)
from tools.tenant_code import upload

pytestmark = pytest.mark.workerd

LANGUAGE = {"js-orders": "js", "py-orders": "python"}


@pytest.fixture(scope="module", params=KINDS)
def finished(request: pytest.FixtureRequest, client: httpx.Client) -> tuple[str, dict[str, Any]]:
    """One instance per tenant kind, run to completion with a sleep and a retried step."""
    tenant = request.param
    instance_id = create(client, tenant, id="greet-1", params={"who": "bob", "sleep": "1 second"})
    return tenant, wait_for(client, tenant, instance_id)


def test_the_run_completes_in_the_tenants_own_code(finished: tuple[str, dict[str, Any]]) -> None:
    tenant, result = finished
    assert result["status"] == "complete", result
    assert result["output"]["tenant"] == LANGUAGE[tenant]


def test_the_tenant_sees_its_params_as_the_payload(finished: tuple[str, dict[str, Any]]) -> None:
    _, result = finished
    assert result["output"]["event"]["payload"] == {"who": "bob", "sleep": "1 second"}
    assert result["output"]["greeting"] == "Hello, bob!"


def test_the_tenant_sees_its_own_instance_id(finished: tuple[str, dict[str, Any]]) -> None:
    _, result = finished
    assert result["output"]["event"]["instanceId"] == "greet-1"


def test_the_tenant_sees_the_workflow_name_and_timestamp(
    finished: tuple[str, dict[str, Any]],
) -> None:
    _, result = finished
    # The Workflow (shard) the tenant was placed on: see dispatcher.shards.
    assert result["output"]["event"]["workflowName"] in ("dynamic-workflow-0", "dynamic-workflow-1")
    assert result["output"]["event"]["timestamp"].startswith("20")


def test_a_failing_step_is_retried_through_the_forwarded_step(
    finished: tuple[str, dict[str, Any]],
) -> None:
    _, result = finished
    assert result["output"]["tries"] == 2


@pytest.mark.parametrize("tenant", KINDS)
def test_wait_for_event_is_answered_by_send_event_through_the_handle(
    client: httpx.Client, tenant: str
) -> None:
    instance_id = create(
        client, tenant, id="approve-1", params={"who": "ann", "waitForEvent": True}
    )
    wait_until_waiting_for_event(client, tenant, instance_id)
    response = act(client, tenant, instance_id, "event", {"type": "approval", "payload": {"ok": 1}})
    assert response.status_code == 200, response.text
    result = wait_for(client, tenant, instance_id)
    assert result["status"] == "complete", result
    assert result["output"]["approval"] == {"ok": 1}


def test_a_js_non_retryable_error_reaches_the_engine_as_one(client: httpx.Client) -> None:
    """The engine sees the tenant's own NonRetryableError, as without a dispatcher.

    Without the ``workflows_preserve_non_retryable_error_message`` flag the engine
    reports its own fatal error in place of the tenant's message.
    """
    instance_id = create(client, "js-orders", params={"who": "mallory", "fail": "fatal"})
    result = wait_for(client, "js-orders", instance_id)
    assert result["status"] == "errored"
    assert result["error"]["name"] == "WorkflowFatalError"
    assert "NonRetryableError" in result["error"]["message"]
    assert "Hello, mallory!" in result["__LOCAL_DEV_STEP_OUTPUTS"]


def test_a_python_non_retryable_error_reaches_the_engine_as_one(client: httpx.Client) -> None:
    """The same engine outcome as a JavaScript tenant's: fatal, no traceback stored."""
    instance_id = create(client, "py-orders", params={"who": "mallory", "fail": "fatal"})
    result = wait_for(client, "py-orders", instance_id)
    assert result["status"] == "errored"
    assert result["error"]["name"] == "WorkflowFatalError", result["error"]
    assert "NonRetryableError" in result["error"]["message"]
    assert "Traceback" not in result["error"]["message"]
    assert "Hello, mallory!" in result["__LOCAL_DEV_STEP_OUTPUTS"]


#: A Python tenant whose run fails at once with its own exception class.
FAILING_TENANT = """
import json
from urllib.parse import urlparse

from workers import Response, WorkerEntrypoint, WorkflowEntrypoint

from dynamic_workflows.tenant import Workflows


class PaymentDeclined(Exception):
    pass


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        raise PaymentDeclined(event["payload"]["reason"])


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        workflows = Workflows(self.env.WORKFLOWS)
        if request.method == "POST":
            instance = await workflows.create(**json.loads(await request.text()))
            return Response(json.dumps({"id": instance.id}))
        instance = await workflows.get(urlparse(request.url).path.rsplit("/", 1)[1])
        return Response(json.dumps({"id": instance.id, **(await instance.status())}))
"""


def test_a_python_tenants_failure_is_stored_as_its_final_exception(
    admin: httpx.Client, client: httpx.Client, dispatcher: Dispatcher
) -> None:
    """Not the whole traceback: the exception's class (no module) and its message."""
    upload(admin, "py-failing", {"mainModule": "main.py", "modules": {"main.py": FAILING_TENANT}})
    instance_id = create(client, "py-failing", params={"reason": "card declined"})
    result = wait_for(client, "py-failing", instance_id)
    assert result["status"] == "errored"
    assert engine_error(dispatcher, result["error"], "PaymentDeclined") == "card declined"
