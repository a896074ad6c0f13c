"""Make a private detail's guard fall back as if the detail were gone, to see the fallback run.

Each guard falls back for real (workerd's own argument conversion, a refusal raised, no
JavaScript module, ...); ``reason`` None takes the detail again. For tests (the reference
dispatcher's test-only debug routes) and for an operator trying a fallback out.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from . import errors, javascript, raw_args, tenant_env


def force_fallback(detail: str, reason: str | None) -> None:
    """Fall back from ``detail`` with ``reason``, or (None) take it again; KeyError if unknown."""
    if detail == raw_args.DETAIL:
        raw_args.force_fallback(reason)
    elif detail == errors.THENABLE:
        errors.check_thenable((lambda value: value) if reason else None)
    elif detail == tenant_env.DETAIL:
        rpc = ModuleType(tenant_env.SDK_RPC) if reason else import_module(tenant_env.SDK_RPC)
        tenant_env.check(rpc)
    elif detail == javascript.DETAIL:
        javascript.force_fallback(reason)
    elif detail == javascript.TENANT_DETAIL:
        javascript.force_source_fallback(reason)
    else:
        raise KeyError(detail)
