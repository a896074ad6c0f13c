"""The optional admission hook of the wrapped binding: quotas and an instance index.

The library itself keeps no per-tenant state. A dispatcher that wants quotas or
an index of what its tenants created gives ``DynamicWorkflowBinding`` an
``Admission`` (subclass the binding and set ``admission``, then export the
subclass under the name ``DynamicWorkflowBinding``). For every ``create`` and
``createBatch``, after the input is checked and before the engine is called,
the binding calls ``reserve`` with the engine ids it is about to create; the
hook refuses by raising a library error (``QuotaExceededError``), which the
tenant sees by name, and nothing reaches the engine. Otherwise the binding
calls the engine, and only when the engine refused the instances does it call
``cancel`` on the reservation (the hook must forget them): a reservation that
is never cancelled was created. Success is not reported, so that the engine's
answer can go to the tenant without resuming Python; the hook learns whether
reserved instances exist from the engine when it needs to (the dispatcher may
also die between the engine's answer and ``cancel``). A ``cancel`` that fails
is logged, not shown to the tenant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class Reservation(Protocol):
    async def cancel(self) -> None:
        """The engine refused the reserved instances: they do not exist."""


class Admission(Protocol):
    async def reserve(
        self, metadata: Mapping[str, Any], engine_ids: Sequence[str], binding_name: str
    ) -> Reservation:
        """Admit the creation of ``engine_ids`` for the tenant of ``metadata``, or raise."""
