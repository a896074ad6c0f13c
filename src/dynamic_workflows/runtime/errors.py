"""Errors as tenants see them: a JavaScript ``Error`` named after the library's class.

An exception raised in a Python RPC method, even a JavaScript error re-raised,
reaches the caller as a ``PythonError`` whose message is the whole traceback,
dispatcher paths included: workerd's Python glue awaits the method in Python.
So a tenant-facing method never raises: it *returns* a ``Rejection``, which
the SDK's ``python_to_rpc`` turns into the JavaScript thenable it carries (as
it does for any object with a ``js_object``; ``runtime.raw_args`` does the same
for calls it routes); the caller's promise adopts it and rejects with the
error. (A rejected ``Promise`` would not do: Pyodide turns one returned from
Python into a ``PythonError`` again.) ``check_thenable`` checks the SDK's part
once per isolate (the registry's ``error-thenable``); should it stop, refusals
are raised, and reach the tenant inside a traceback, never as a success.
workerd passes that error over RPC as it is (name and message): the library's
errors with their one-line message, and anything unexpected as
``DispatcherInternalError`` with a reference that the dispatcher's log prints
next to the traceback.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from js import Error, Object, console
from pyodide.ffi import JsException, create_once_callable

from ..core import details
from ..core.details import record_detail
from ..core.errors import DispatcherInternalError, DynamicWorkflowsError
from .convert import to_js

THENABLE = "error-thenable"
_thenable = {"honoured": True}
details.warn[0] = console.warn  # the registry's fallback lines, in the worker's log

P = ParamSpec("P")
R = TypeVar("R")


def tenant_facing(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | Any]]:
    """Let ``method`` fail only with JavaScript errors a tenant may see."""

    @wraps(method)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Any:
        try:
            return await method(*args, **kwargs)
        except DynamicWorkflowsError as exc:
            error: Exception = exc
        except Exception as exc:
            error = internal_error(exc)
        if not _thenable["honoured"]:
            raise error
        return Rejection(to_js_error(error))

    return guarded


def check_thenable(python_to_rpc: Callable[[Any], Any] | None = None) -> bool:
    """Whether the SDK's ``python_to_rpc`` hands the caller a ``Rejection``'s thenable; recorded.

    (``python_to_rpc`` is the SDK's; tests pass another to force the fallback.)
    """
    if python_to_rpc is None:
        import workers  # noqa: PLC0415 - the SDK, on first use

        python_to_rpc = workers.python_to_rpc
    probe = Rejection(None)
    honoured = bool(getattr(Object, "is")(python_to_rpc(probe), probe.js_object))
    _thenable["honoured"] = honoured
    record_detail(THENABLE, honoured, "the SDK's python_to_rpc no longer hands back js_object")
    return honoured


class Rejection:
    """A result that reaches the RPC caller as a rejection (see the module docstring)."""

    __slots__ = ("js_object",)

    def __init__(self, js_error: Any) -> None:
        def then(_resolve: Any, reject: Any) -> None:
            reject(js_error)

        self.js_object = Object.new()
        self.js_object.then = create_once_callable(then)


def to_js_error(exc: Exception) -> Any:
    """A JS Error with the exception's class as ``name`` and its message, nothing more."""
    error = Error.new(str(exc))
    error.name = type(exc).__name__
    return error


def error_pair(error: Exception) -> Any:
    """``[name, message]`` of ``error`` as a JS array: library.mjs makes the Error from it
    (a JavaScript error returned from Python would come back wrapped in a PythonError)."""
    return to_js([type(error).__name__, str(error)])


def internal_error(exc: BaseException) -> DispatcherInternalError:
    """Log ``exc`` with a fresh reference; the error to show instead names only the reference."""
    if isinstance(exc, JsException):
        detail = f"{getattr(exc, 'name', 'Error')}: {getattr(exc, 'message', exc)}"
    else:
        detail = "".join(traceback.format_exception(exc))
    reference = os.urandom(6).hex()
    console.error(f"dynamic-workflows: internal error {reference}: {detail}")
    return DispatcherInternalError(reference)
