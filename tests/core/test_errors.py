"""Errors that crossed RPC as a Python traceback come back as the library's own classes."""

from dynamic_workflows.core import InstanceNotFoundError, InvalidParamsError, error_from_rpc

TRACEBACK = (
    "PythonError: Traceback (most recent call last):\n"
    '  File "/session/metadata/dynamic_workflows/runtime/binding.py", line 127, in _engine_errors\n'
    "    raise InstanceNotFoundError(missing) from None\n"
    "dynamic_workflows.core.errors.InstanceNotFoundError: dynamic-workflows: instance.not_found:"
    " no workflow instance with id 'order-1'.\n"
)


def test_a_library_error_at_the_end_of_a_traceback_is_rebuilt_as_its_class() -> None:
    error = error_from_rpc(TRACEBACK)
    assert isinstance(error, InstanceNotFoundError)
    assert str(error).startswith("dynamic-workflows: instance.not_found:")


def test_the_rebuilt_error_keeps_its_builtin_base() -> None:
    error = error_from_rpc("x.InvalidParamsError: dynamic-workflows: params are too big")
    assert isinstance(error, InvalidParamsError)
    assert isinstance(error, ValueError)


def test_an_error_of_another_library_is_left_alone() -> None:
    assert error_from_rpc("ValueError: dynamic-workflows: looks like ours") is None
    assert error_from_rpc("Error: WorkflowError: (instance.already_exists) taken") is None
