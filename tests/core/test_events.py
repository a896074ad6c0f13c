"""The tenant's run sees the whole event, with its own instance id."""

from dynamic_workflows.core.events import (
    RunFailure,
    engine_abort,
    python_exception,
    run_failure,
    run_scope,
    tenant_event,
)
from dynamic_workflows.core.scoping import TenantScope

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


def traceback_of(*final: str) -> str:
    """A Python tenant's error as the dispatcher gets it over RPC: the traceback in the message."""
    return (
        "PythonError: Traceback (most recent call last):\n"
        '  File "/session/metadata/worker.py", line 40, in run\n'
        "    raise exc\n"
        "    ^^^^^^^^^\n" + "\n".join(final) + "\n"
    )


CHAINED = (
    "PythonError: Traceback (most recent call last):\n"
    '  File "/session/metadata/python_modules/workers/entrypoints.py", line 236, in _closure\n'
    "    coroutine = await entrypoint._js_step.do(name, _callback)\n"
    "pyodide.ffi.JsException: NonRetryableError: refused order for mallory\n"
    "\n"
    "The above exception was the direct cause of the following exception:\n"
    "\n"
    "Traceback (most recent call last):\n"
    '  File "/session/metadata/main.py", line 40, in run\n'
    "    await refuse()\n"
    "workers.workflows.NonRetryableError: refused order for mallory\n"
)

GROUP = (
    "PythonError:   + Exception Group Traceback (most recent call last):\n"
    '  |   File "/session/metadata/main.py", line 3, in run\n'
    "  |     raise ExceptionGroup('two failed', [ValueError('a'), KeyError('b')])\n"
    "  | ExceptionGroup: two failed (2 sub-exceptions)\n"
    "  +-+---------------- 1 ----------------\n"
    "    | ValueError: a\n"
    "    +---------------- 2 ----------------\n"
    "    | KeyError: 'b'\n"
    "    +------------------------------------\n"
)


def test_the_final_exception_is_read_off_a_traceback() -> None:
    assert python_exception(traceback_of("ValueError: boom")) == ("ValueError", "boom")


def test_a_chained_traceback_gives_the_last_exception() -> None:
    assert python_exception(CHAINED) == (
        "workers.workflows.NonRetryableError",
        "refused order for mallory",
    )


def test_an_exception_without_a_message_gives_an_empty_message() -> None:
    assert python_exception(traceback_of("KeyboardError")) == ("KeyboardError", "")


def test_a_message_of_several_lines_is_kept_whole() -> None:
    assert python_exception(traceback_of("RuntimeError: first", "second")) == (
        "RuntimeError",
        "first\nsecond",
    )


def test_a_syntax_error_skips_its_source_and_caret_lines() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/session/metadata/main.py", line 1\n'
        "    x = (\n"
        "        ^\n"
        "SyntaxError: '(' was never closed\n"
    )
    assert python_exception(text) == ("SyntaxError", "'(' was never closed")


def test_an_exception_group_gives_its_own_line() -> None:
    assert python_exception(GROUP) == ("ExceptionGroup", "two failed (2 sub-exceptions)")


def test_a_message_without_a_traceback_is_not_read() -> None:
    assert python_exception("PythonError") is None
    assert python_exception("Error: boom") is None


def test_a_python_failure_reaches_the_engine_as_its_final_exception_only() -> None:
    failure = run_failure("Error", traceback_of("ValueError: boom"))
    assert failure == RunFailure("ValueError", "boom")


def test_the_python_error_name_may_survive_rpc() -> None:
    message = traceback_of("ValueError: boom").removeprefix("PythonError: ")
    assert run_failure("PythonError", message) == RunFailure("ValueError", "boom")


def test_a_python_non_retryable_error_is_named_for_the_engine() -> None:
    assert run_failure("Error", CHAINED) == RunFailure(
        "NonRetryableError", "refused order for mallory"
    )


def test_any_class_named_non_retryable_error_counts_as_the_engine_goes_by_name() -> None:
    failure = run_failure("Error", traceback_of("main.NonRetryableError: no"))
    assert failure == RunFailure("NonRetryableError", "no")


def test_a_python_module_path_is_dropped_from_the_name() -> None:
    failure = run_failure("Error", traceback_of("main.PaymentDeclined: card 42"))
    assert failure == RunFailure("PaymentDeclined", "card 42")


def test_an_abort_under_a_traceback_becomes_the_abort_line() -> None:
    text = traceback_of("pyodide.ffi.JsException: Error: Aborting engine: User called pause")
    assert run_failure("Error", text) == RunFailure("Error", "Aborting engine: User called pause")


def test_the_engines_own_abort_passes_unchanged() -> None:
    assert run_failure("Error", "Aborting engine: User called terminate") is None


def test_a_javascript_tenants_error_passes_unchanged() -> None:
    assert run_failure("NonRetryableError", "refused") is None
    assert run_failure("Error", "RangeError: Traceback (most recent call last):\nX: y") is None
    assert run_failure("TypeError", "boom") is None


def test_a_python_error_without_a_traceback_passes_unchanged() -> None:
    assert run_failure("Error", "PythonError") is None
