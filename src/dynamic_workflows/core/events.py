"""The event a tenant's ``run`` sees: its own params and its own instance id.

The reference forwards only ``payload``, ``timestamp`` and ``instanceId`` and
leaks nothing else; here ``workflowName`` and the cron ``schedule`` reach the
tenant too, and ``instanceId`` is the id the tenant chose, not the scoped one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import InvalidMetadataError
from .scoping import TenantScope, scope_value

FORWARDED_KEYS = ("timestamp", "workflowName", "schedule")


def tenant_event(
    event: Mapping[str, Any], params: Any, scope: TenantScope | None
) -> dict[str, Any]:
    """Shape the engine's event for the tenant; values pass through untouched."""
    shaped: dict[str, Any] = {"payload": params}
    instance_id = event.get("instanceId")
    if isinstance(instance_id, str):
        shaped["instanceId"] = scope.unscope(instance_id) if scope else instance_id
    for key in FORWARDED_KEYS:
        value = event.get(key)
        if value is not None:
            shaped[key] = value
    return shaped


def run_scope(metadata: Any, scope_key: str | None) -> TenantScope | None:
    """The scope an instance was created under, or None if it was not scoped.

    Instances created by an unscoped binding (or by the JavaScript reference,
    before a migration) carry no scope value and keep their ids as they are.
    """
    if scope_key is None or not isinstance(metadata, Mapping):
        return None
    try:
        return TenantScope.for_value(scope_value(metadata, scope_key))
    except InvalidMetadataError:
        return None


#: How the Workflows engine tells a run to stop (pause, terminate, restart, ...):
#: it rejects the pending step with an Error whose message is exactly this line.
_ENGINE_ABORT = re.compile(r"(Aborting engine: [^\n]+?)\s*\Z")


def engine_abort(message: str) -> str | None:
    """The engine's abort line buried at the end of a tenant error's message, if any.

    The engine recognises its abort by the exact message; a Python tenant's
    traceback wraps it, and the engine would then record the pause as an error.
    """
    match = _ENGINE_ABORT.search(message)
    return match.group(1) if match else None
