"""The reference dispatcher's admission hook: every wrapped create reserves its instances in the
tenant's index object first (quotas checked there), and cancels the reservation when the
engine refuses (``index.TenantIndex`` says how the rows are settled).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dynamic_workflows import (
    DynamicWorkflowsError,
    QuotaExceededError,
    TenantScope,
    to_js,
    to_py,
)

from .env import raw_env
from .index_client import Row, index_of, statuses
from .tenants import SCOPE_KEY

#: Changed only through the test-only debug route: "index" off to measure the index's cost
#: in one run, "native" off to take the hook's Python path (``reserve``) in the tests,
#: "broken" on to make the index's call fail (a method the object does not have).
ENABLED = {"index": True, "native": True, "broken": False}


class TenantClosedError(DynamicWorkflowsError):
    """A create for a tenant whose DELETE has begun: refused before the engine."""


@dataclass(slots=True)
class _Reservation:
    index: Any
    rows: list[int]

    async def cancel(self) -> None:
        await self.index.settle(to_js(self.rows), False)


class _Nothing:
    async def cancel(self) -> None:
        return None


class IndexAdmission:
    """The admission hook: quotas checked and instances recorded in the tenant's index.

    A ``NativeAdmission``: the binding reads the index's answer to ``reserve``
    in JavaScript (``{"ok": true, "rows": [...]}``), and hands a refusal, or a
    create refused at the unfinished cap (``"check"``: rows to re-check), to
    ``admit``.
    """

    async def reserve(
        self, metadata: Mapping[str, Any], engine_ids: Sequence[str], binding_name: str
    ) -> _Reservation | _Nothing:
        if not ENABLED["index"]:
            return _Nothing()
        answer = to_py(await _index(metadata).reserve(_request(metadata, engine_ids)))
        if not answer["ok"]:
            return await self.admit(answer, metadata, engine_ids, binding_name)
        return self.reservation(answer, metadata)

    def reserve_natively(
        self, metadata: Mapping[str, Any], engine_ids: Sequence[str], binding_name: str
    ) -> tuple[Any, str, Any] | None:
        if not (ENABLED["index"] and ENABLED["native"]):
            return None
        method = "reserveBroken" if ENABLED["broken"] else "reserve"
        return _index(metadata), method, _request(metadata, engine_ids)

    async def admit(
        self,
        answer: Mapping[str, Any],
        metadata: Mapping[str, Any],
        engine_ids: Sequence[str],
        binding_name: str,
    ) -> _Reservation:
        if answer.get("check"):
            # At the unfinished cap: some of those may have finished since last looked at.
            index = _index(metadata)
            rows = [Row.of(r) for r in answer["check"]]
            await statuses(index, getattr(raw_env(), binding_name), rows)
            answer = to_py(await index.reserve(_request(metadata, engine_ids)))
        if answer.get("closed"):
            raise TenantClosedError(str(answer["message"]))
        if not answer["ok"]:
            raise _refusal(answer)
        return self.reservation(answer, metadata)

    def reservation(self, answer: Mapping[str, Any], metadata: Mapping[str, Any]) -> _Reservation:
        return _Reservation(_index(metadata), [int(r) for r in answer["rows"]])


def _index(metadata: Mapping[str, Any]) -> Any:
    return index_of(raw_env(), str(metadata[SCOPE_KEY]))


def _request(metadata: Mapping[str, Any], engine_ids: Sequence[str]) -> Any:
    scope = TenantScope.for_value(str(metadata[SCOPE_KEY]))
    return to_js(
        {
            "tenant": metadata["tenantId"],
            "version": metadata["codeVersion"],
            "items": [[e, scope.unscope(e)] for e in engine_ids],
        }
    )


def _refusal(answer: Mapping[str, Any]) -> QuotaExceededError:
    """The index's refusal as the library's error, with the message the index wrote."""
    error = QuotaExceededError.__new__(QuotaExceededError)
    Exception.__init__(error, answer["message"])
    error.quota = str(answer["quota"])
    error.limit = float(answer["limit"])
    error.retry_after = answer.get("retryAfter")
    return error
