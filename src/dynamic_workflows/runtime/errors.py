"""Errors as tenants see them: a JavaScript ``Error`` named after the library's class.

An exception raised in a Python RPC method, even a JavaScript error re-raised,
reaches the caller as a ``PythonError`` whose message is the whole traceback,
dispatcher paths included: workerd's Python glue awaits the method in Python.
So a tenant-facing method never raises: it *returns* a ``Rejection``, which
the SDK's ``python_to_rpc`` turns into the JavaScript thenable it carries (as
it does for any object with a ``js_object``); the caller's promise adopts it
and rejects with the error. (A rejected ``Promise`` would not do: Pyodide
turns one returned from Python into a ``PythonError`` again.) Should the SDK
stop doing so, the error reaches the tenant as a traceback again
(tests/hostile fails), never as a success.
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

from ..core import DispatcherInternalError, DynamicWorkflowsError
from .convert import to_js

P = ParamSpec("P")
R = TypeVar("R")


def tenant_facing(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | Any]]:
    """Let ``method`` fail only with JavaScript errors a tenant may see."""

    @wraps(method)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Any:
        try:
            return await method(*args, **kwargs)
        except DynamicWorkflowsError as exc:
            return rejected(exc)
        except Exception as exc:
            return rejected(internal_error(exc))

    return guarded


class Rejection:
    """A result that reaches the RPC caller as a rejection (see the module docstring)."""

    __slots__ = ("js_object",)

    def __init__(self, js_error: Any) -> None:
        def then(_resolve: Any, reject: Any) -> None:
            reject(js_error)

        self.js_object = Object.new()
        self.js_object.then = create_once_callable(then)


def rejected(exc: Exception) -> Rejection:
    """``exc`` as a named JS error, for the RPC caller."""
    return Rejection(to_js_error(exc))


def to_js_error(exc: Exception) -> Any:
    """A JS Error with the exception's class as ``name`` and its message, nothing more."""
    return named_js_error(type(exc).__name__, str(exc))


def error_pair(error: Exception) -> Any:
    """``[name, message]`` of ``error`` as a JS array: native.mjs makes the Error from it
    (a JavaScript error returned from Python would come back wrapped in a PythonError)."""
    return to_js([type(error).__name__, str(error)])


def named_js_error(name: str, message: str) -> Any:
    """A JS Error with this ``name`` and ``message``."""
    error = Error.new(message)
    error.name = name
    return error


def internal_error(exc: BaseException) -> DispatcherInternalError:
    """Log ``exc`` with a fresh reference; the error to show instead names only the reference."""
    if isinstance(exc, JsException):
        detail = f"{getattr(exc, 'name', 'Error')}: {getattr(exc, 'message', exc)}"
    else:
        detail = "".join(traceback.format_exception(exc))
    reference = os.urandom(6).hex()
    console.error(f"dynamic-workflows: internal error {reference}: {detail}")
    return DispatcherInternalError(reference)
