"""A tenant's view of the Workflow: its create options become the engine's.

``TenantBinding`` is the whole create/get logic of the wrapped binding, free of
the runtime: it checks options and ids, scopes ids, and wraps params in the
envelope. Params themselves are checked where they are still what the tenant
sent (``core.rules``); ``params_limit`` is what the envelope leaves them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from .envelope import wrap_params
from .errors import (
    DynamicWorkflowsError,
    InstanceAlreadyExistsError,
    InstanceNotFoundError,
    InvalidBatchError,
    WorkflowEngineError,
)
from .rules import MAX_PAYLOAD_BYTES
from .scoping import TenantScope, check_engine_id
from .validation import ENVELOPE_OVERHEAD, check_create_options, check_metadata


class PreparedCreate(NamedTuple):
    """What to send the engine, and the id to show the tenant."""

    engine_options: dict[str, Any]
    tenant_id: str


@dataclass(frozen=True, slots=True)
class TenantBinding:
    metadata: Mapping[str, Any]
    scope: TenantScope | None
    params_limit: int

    @classmethod
    def create(cls, metadata: object, scope_key: str | None) -> TenantBinding:
        """Check metadata (as at wrap time) and derive the tenant's scope."""
        size = check_metadata(metadata, scope_key)
        assert isinstance(metadata, Mapping)
        scope = None if scope_key is None else TenantScope.from_metadata(metadata, scope_key)
        return cls(metadata, scope, MAX_PAYLOAD_BYTES - ENVELOPE_OVERHEAD - size)

    def prepare_create(self, options: object, *, where: str = "create() options") -> PreparedCreate:
        """Checked, scoped, wrapped engine options for one create (params as they are)."""
        engine_options = check_create_options(options, where=where)
        params = engine_options.get("params")
        if "id" in engine_options and engine_options["id"] is not None:
            tenant_id = engine_options["id"]
            engine_id = self.engine_id(tenant_id)
        elif self.scope is not None:
            engine_id = self.scope.new_id()
            tenant_id = self.scope.unscope(engine_id)
        else:
            engine_options.pop("id", None)
            return PreparedCreate(self._wrap(engine_options, params), "")
        engine_options["id"] = engine_id
        return PreparedCreate(self._wrap(engine_options, params), tenant_id)

    def prepare_batch(self, items: list[Any]) -> list[PreparedCreate]:
        """``prepare_create`` for each item of a batch (``validation.check_batch``'s), and no
        id twice."""
        prepared = [
            self.prepare_create(options, where=f"createBatch() item {index}")
            for index, options in enumerate(items)
        ]
        seen: set[str] = set()
        for index, item in enumerate(prepared):
            engine_id = item.engine_options.get("id")
            if engine_id is None:
                continue
            if engine_id in seen:
                raise InvalidBatchError(
                    f"createBatch() item {index} repeats id {item.tenant_id!r}; ids must be unique."
                )
            seen.add(engine_id)
        return prepared

    def engine_id(self, tenant_id: object) -> str:
        """The engine id that a tenant's id names (checked as the engine would)."""
        if self.scope is None:
            return check_engine_id(tenant_id)
        return self.scope.scope(tenant_id)

    def tenant_id(self, engine_id: str) -> str:
        return engine_id if self.scope is None else self.scope.unscope(engine_id)

    def engine_refusal(self, message: str, instance_id: str | None) -> DynamicWorkflowsError:
        """The library error for an engine's refusal, in the tenant's terms (its own ids)."""
        return engine_refusal(message, instance_id, self.scope.prefix if self.scope else None)

    def _wrap(self, engine_options: dict[str, Any], params: Any) -> dict[str, Any]:
        engine_options["params"] = wrap_params(params, self.metadata)
        return engine_options


def engine_refusal(
    message: str, instance_id: str | None, prefix: str | None
) -> DynamicWorkflowsError:
    """The library error for an engine's refusal of ``instance_id`` (the tenant's id).

    ``prefix`` is the tenant's scope prefix, taken out of the engine's message so that
    no engine id reaches the tenant.
    """
    code = message.replace(" ", "_").lower()
    if "already_exists" in code:
        return InstanceAlreadyExistsError(instance_id)
    if "not_found" in code and instance_id is not None:
        return InstanceNotFoundError(instance_id)
    first_line = message.strip().split("\n", 1)[0][:300]
    if prefix:
        first_line = first_line.replace(prefix, "")
    return WorkflowEngineError(first_line)
