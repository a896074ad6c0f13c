"""The private details of workerd and the SDK the library relies on, and what each did here.

Where the library depends on something the platform does not promise (a function of
workerd's introspection module, a private class of the SDK), the code that uses it is
guarded: it checks for the detail, falls back safely when it is missing, and records
which happened here. The first fallback of each detail in an isolate logs one JSON
line (``{"event": "dynamic_workflows.fallback", ...}``), and ``private_details()``
is what an operator's status page shows. ``docs/private-details.md`` lists each one
with its guard, its fallback and the test that fails when it changes.

A dispatcher can record its own details here too (``record_detail``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Detail:
    what: str
    fallback: str
    in_use: bool | None = None
    reason: str | None = None
    logged: bool = False


_DETAILS: dict[str, _Detail] = {}


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


#: Where the fallback lines go; the runtime adapter points it at ``console.warn``.
warn: list[Callable[[str], None]] = [_stderr]


def declare_detail(name: str, what: str, fallback: str) -> None:
    """Make ``name`` known (not tried yet): what it is, and what happens without it."""
    if name not in _DETAILS:
        _DETAILS[name] = _Detail(what, fallback)


def record_detail(
    name: str,
    in_use: bool,
    reason: str | None = None,
    *,
    what: str = "",
    fallback: str = "",
) -> None:
    """Record whether detail ``name`` is in use in this isolate; log its first fallback.

    ``reason`` says why it fell back. ``what`` and ``fallback`` describe a detail not
    declared before (a dispatcher's own).
    """
    declare_detail(name, what, fallback)
    detail = _DETAILS[name]
    detail.in_use, detail.reason = in_use, (None if in_use else reason or "unknown")
    if not in_use and not detail.logged:
        detail.logged = True
        line = {
            "event": "dynamic_workflows.fallback",
            "detail": name,
            "reason": detail.reason,
            "fallback": detail.fallback,
        }
        warn[0](json.dumps(line))


#: The library's own details, listed before any is tried (``inUse`` None until then).
LIBRARY_DETAILS = {
    "raw-rpc-arguments": (
        "workerd's introspection module calls every Python RPC method through its "
        "wrapper_func; the library wraps it (runtime/raw_args.py) so the binding's methods "
        "get the caller's JavaScript arguments unconverted",
        "the SDK converts the arguments first (python_from_rpc): values it changes "
        "(a Map to a dict, 5n to 5, undefined to None) are checked as converted",
    ),
    "javascript-module": (
        "the library's JavaScript (runtime/library.mjs) is an ES module of the worker's "
        "bundle, dynamic_workflows.mjs, imported with the SDK's import_from_javascript",
        "none: the binding refuses every call with DispatcherInternalError and runs fail "
        "with MissingJavaScriptModuleError, whose message says how to add the module",
    ),
    "tenant-params-guard": (
        "library.mjs is readable as data (a vendored file, or a Text rule) so JavaScript "
        "tenants get it and check params before their call leaves their isolate",
        "JavaScript tenants are checked by the dispatcher only: a symbol in params gets "
        "workerd's DataCloneError instead of InvalidParamsError",
    ),
    "sdk-env-hook": (
        "the SDK's env wrapper (workers.rpc._EnvWrapper) is patched in Python tenants so "
        "env.WORKFLOWS gets the SDK's Workflow wrapper (runtime/tenant_env.py)",
        "Python tenants get the SDK's generic wrapper: handles half-converted, and "
        "JsException instead of the library's error classes",
    ),
    "error-thenable": (
        "the SDK's python_to_rpc hands an object's js_object to the caller; a refusal is "
        "returned as an object whose js_object is a rejecting thenable (runtime/errors.py)",
        "refusals are raised: the tenant sees the library's message inside a PythonError "
        "traceback, never a success",
    ),
}

for _name, (_what, _fallback) in LIBRARY_DETAILS.items():
    declare_detail(_name, _what, _fallback)


def private_details() -> list[dict[str, object]]:
    """Every detail: ``name``, ``what``, ``inUse`` (None: not tried yet here), ``fallback``,
    ``reason`` (why it fell back, else None)."""
    return [
        {
            "name": name,
            "what": detail.what,
            "inUse": detail.in_use,
            "fallback": detail.fallback,
            "reason": detail.reason,
        }
        for name, detail in _DETAILS.items()
    ]
