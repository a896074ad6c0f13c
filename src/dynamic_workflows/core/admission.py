"""The optional admission hook of the wrapped binding: quotas and an instance index.

The library itself keeps no per-tenant state. A dispatcher that wants quotas or
an index of what its tenants created gives ``DynamicWorkflowBinding`` an
``Admission`` (subclass the binding and set ``admission``, then export the
subclass under the name ``DynamicWorkflowBinding``). For every ``create`` and
``createBatch``, after the input is checked and before the engine is called,
the binding calls ``reserve`` with the engine ids it is about to create; the
hook refuses by raising a library error (``QuotaExceededError``), which the
tenant sees by name, and nothing reaches the engine. Otherwise the binding
calls the engine and then ``settle`` on the reservation with the engine's
answer: ``True`` when the instances exist, ``False`` when the engine refused
them (then the hook must forget them). A ``settle`` that fails after the engine
created the instances is logged, not shown to the tenant: the hook must cope
with reservations that are never settled (the dispatcher may also die between
the two calls).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class Reservation(Protocol):
    async def settle(self, created: bool) -> None:
        """The engine's answer: the reserved instances exist (True) or were refused (False)."""


class Admission(Protocol):
    async def reserve(
        self, metadata: Mapping[str, Any], engine_ids: Sequence[str], binding_name: str
    ) -> Reservation:
        """Admit the creation of ``engine_ids`` for the tenant of ``metadata``, or raise."""
