"""Errors that crossed RPC as named JavaScript errors come back as the library's own classes."""

from dynamic_workflows.core.errors import (
    DynamicWorkflowsError,
    InstanceAlreadyExistsError,
    InstanceNotFoundError,
    InvalidParamsError,
    QuotaExceededError,
    error_from_rpc,
)

NOT_FOUND = str(InstanceNotFoundError("order-1"))


def test_a_library_error_is_rebuilt_as_its_class_from_name_and_message() -> None:
    error = error_from_rpc("InstanceNotFoundError", NOT_FOUND)
    assert isinstance(error, InstanceNotFoundError)
    assert str(error) == NOT_FOUND


def test_the_rebuilt_error_keeps_its_builtin_base() -> None:
    error = error_from_rpc("InvalidParamsError", "dynamic-workflows: params are too big")
    assert isinstance(error, InvalidParamsError)
    assert isinstance(error, ValueError)


def test_a_name_that_is_not_the_librarys_is_left_alone() -> None:
    assert error_from_rpc("ValueError", "dynamic-workflows: looks like ours") is None
    assert error_from_rpc("Error", "WorkflowError: (instance.already_exists) taken") is None


def test_a_library_name_without_the_librarys_message_is_left_alone() -> None:
    assert error_from_rpc("InstanceNotFoundError", "somebody else's error") is None


def test_every_error_message_is_one_line() -> None:
    errors: list[DynamicWorkflowsError] = [
        InstanceNotFoundError("a"),
        InstanceAlreadyExistsError("a"),
    ]
    assert all("\n" not in str(error) for error in errors)


def test_a_quota_refusal_comes_back_as_quota_exceeded_error() -> None:
    sent = QuotaExceededError("creates_per_second", 5, "burst 10, 1 asked", retry_after=0.2)
    error = error_from_rpc("QuotaExceededError", str(sent))
    assert isinstance(error, QuotaExceededError)
    assert str(error) == str(sent)
    assert "creates_per_second is 5" in str(sent) and "retry in 0.20 s" in str(sent)
