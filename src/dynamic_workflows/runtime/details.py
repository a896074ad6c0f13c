"""The runtime side of the private-details registry (``core.details``): try, or force, each one.

``try_private_details`` runs every guard this isolate has not run yet, so a status page
shows none as "not tried"; the entrypoint surface is the exception: only an RPC call to an
entrypoint tries it (the reference dispatcher calls its own tail). ``force_fallback``
makes a guard fall back as if its detail were gone (workerd's own argument conversion, a
refusal raised, no JavaScript module, ...), or (``reason`` None) take the detail again: for
tests (the reference dispatcher's test-only debug route) and for an operator trying a
fallback out.
"""

from __future__ import annotations

from contextlib import suppress
from importlib import import_module
from types import ModuleType

from . import errors, flags, javascript, raw_args, surface, tenant_env


def try_private_details() -> None:
    """Run each of the library's guards once in this isolate (each records its outcome)."""
    raw_args.install()  # and the error thenable's check
    with suppress(javascript.MissingJavaScriptModuleError):  # recorded, with the reason
        javascript.module()
    javascript.source()
    tenant_env.check(import_module(tenant_env.SDK_RPC))  # the SDK Python tenants will run
    flags.development_runtime()


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
    elif detail == flags.DETAIL:
        flags.force_fallback(reason)
    elif detail == surface.DETAIL:
        surface.force_fallback(reason)
    elif detail == javascript.TENANT_DETAIL:
        javascript.force_source_fallback(reason)
    else:
        raise KeyError(detail)
