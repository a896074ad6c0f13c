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


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


#: Where the fallback lines go; the runtime adapter points it at ``console.warn``.
warn: list[Callable[[str], None]] = [_stderr]


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
    listed before (a dispatcher's own).
    """
    detail = _DETAILS.setdefault(name, _Detail(what, fallback))
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


#: The library's own details, listed before any is tried (``inUse`` None until then):
#: what each is, and what happens without it (docs/private-details.md has more).
LIBRARY_DETAILS = {
    "raw-rpc-arguments": (
        "workerd's wrapper_func, wrapped: the binding's methods get JavaScript arguments",
        "arguments converted by the SDK: what it changes (a Map, 5n, undefined) is checked so",
    ),
    "javascript-module": (
        "the library's JavaScript, the bundle's ES module dynamic_workflows.mjs",
        "none: the binding refuses every call and runs fail, saying how to add the module",
    ),
    "tenant-params-guard": (
        "library.mjs readable as data: JavaScript tenants check params before their calls",
        "JavaScript tenants are checked by the dispatcher only (a symbol: DataCloneError)",
    ),
    "sdk-env-hook": (
        "the SDK's env wrapper patched in Python tenants: env.WORKFLOWS is tenant.Workflows",
        "the SDK's generic wrapper: handles half-converted, JsException for refusals",
    ),
    "compat-flags-module": (
        "workerd's _cloudflare_compat_flags: the dev runtime's flags for Python tenants",
        "every flag reads as off: on the development runtime Python tenants do not load",
    ),
    "entrypoint-surface": (
        "workerd calls RPC methods on what an entrypoint's __new__ returns (an RpcSurface)",
        "the class's own instance: the binding refuses every call, the tail still records",
    ),
    "error-thenable": (
        "the SDK's python_to_rpc hands back js_object: a refusal is a rejecting thenable",
        "refusals are raised: the library's message inside a traceback, never a success",
    ),
}
#: Every detail by name: the library's, then any a dispatcher records.
_DETAILS = {name: _Detail(what, fallback) for name, (what, fallback) in LIBRARY_DETAILS.items()}


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
