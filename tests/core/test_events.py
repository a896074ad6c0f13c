"""The tenant's run sees the whole event, with its own instance id."""

from dynamic_workflows.core import TenantScope, engine_abort, run_scope, tenant_event

ACME = TenantScope.for_value("acme")
ENGINE_EVENT = {
    "payload": "ignored: the envelope",
    "timestamp": "2026-11-24T12:00:00Z",
    "instanceId": ACME.scope("order-1"),
    "workflowName": "dynamic-workflow",
}


def test_the_tenant_sees_its_params_as_the_payload() -> None:
    assert tenant_event(ENGINE_EVENT, {"who": "bob"}, ACME)["payload"] == {"who": "bob"}


def test_the_tenant_sees_its_own_instance_id() -> None:
    assert tenant_event(ENGINE_EVENT, None, ACME)["instanceId"] == "order-1"


def test_timestamp_and_workflow_name_are_forwarded() -> None:
    shaped = tenant_event(ENGINE_EVENT, None, ACME)
    assert shaped["timestamp"] == "2026-11-24T12:00:00Z"
    assert shaped["workflowName"] == "dynamic-workflow"


def test_the_cron_schedule_is_forwarded_when_present() -> None:
    shaped = tenant_event({**ENGINE_EVENT, "schedule": "*/5 * * * *"}, None, ACME)
    assert shaped["schedule"] == "*/5 * * * *"


def test_absent_fields_are_not_invented() -> None:
    assert set(tenant_event({"instanceId": "x"}, None, None)) == {"payload", "instanceId"}


def test_values_pass_through_as_the_same_objects() -> None:
    timestamp, params = object(), object()
    shaped = tenant_event({**ENGINE_EVENT, "timestamp": timestamp}, params, ACME)
    assert shaped["timestamp"] is timestamp
    assert shaped["payload"] is params


def test_an_unscoped_instance_keeps_its_id() -> None:
    assert tenant_event({"instanceId": "legacy"}, None, None)["instanceId"] == "legacy"


def test_run_scope_is_the_scope_the_instance_was_created_under() -> None:
    assert run_scope({"tenantId": "acme"}, "tenantId") == ACME


def test_run_scope_is_none_for_metadata_without_the_scope_key() -> None:
    assert run_scope({"region": "eu"}, "tenantId") is None


def test_the_engines_abort_line_is_found_under_a_python_traceback() -> None:
    message = (
        'PythonError: Traceback (most recent call last):\n  File "main.py", line 3\n'
        "pyodide.ffi.JsException: Error: Aborting engine: User called pause\n"
    )
    assert engine_abort(message) == "Aborting engine: User called pause"


def test_a_plain_abort_message_is_its_own_abort_line() -> None:
    assert engine_abort("Aborting engine: User called terminate") == (
        "Aborting engine: User called terminate"
    )


def test_a_tenant_error_is_not_taken_for_an_abort() -> None:
    assert engine_abort("RuntimeError: payment declined") is None
