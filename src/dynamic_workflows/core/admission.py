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

A hook whose check is a call to something else (a Durable Object) can also be a
``NativeAdmission``: the binding then reads its answer in JavaScript and calls
the engine from there, so an admitted create costs no Python turn after the
hook's call; Python is called back only for an answer that is not ``ok`` and
when the engine refuses.
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


class NativeAdmission(Admission, Protocol):
    def reserve_natively(
        self, metadata: Mapping[str, Any], engine_ids: Sequence[str], binding_name: str
    ) -> tuple[Any, str, Any] | None:
        """The call that answers in JavaScript, made there: ``(object, method, argument)``
        with JavaScript ``object`` and ``argument`` (e.g. a Durable Object stub and its
        request). The answer is an object whose ``ok`` is ``true`` when the creation is
        admitted. None to take ``reserve`` instead. (Not the promise itself: one that
        reaches Python becomes a Python future, which JavaScript cannot read.)"""

    async def admit(
        self,
        answer: Mapping[str, Any],
        metadata: Mapping[str, Any],
        engine_ids: Sequence[str],
        binding_name: str,
    ) -> Reservation:
        """An answer that was not ``ok`` (as Python data): admit after all, or raise."""

    def reservation(self, answer: Mapping[str, Any], metadata: Mapping[str, Any]) -> Reservation:
        """The reservation an ``ok`` answer (as Python data) stands for."""
