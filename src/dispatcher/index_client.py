"""What the dispatcher's routes call on a tenant's index object (``index.TenantIndex``): its
stub, its rows as the dispatcher reads them, and the engine's statuses recorded in it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyodide.ffi import JsException

from dynamic_workflows import to_js, to_py

from .config import INDEX_BINDING

#: Engine statuses after which an instance never runs again by itself.
FINAL = frozenset({"complete", "errored", "terminated"})
#: What ``observe`` records for an id the engine does not know.
MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Row:
    """An index row as the dispatcher reads it."""

    n: int
    engine_id: str
    id: str
    tenant: str
    version: str
    created_at: float
    state: str
    status: str | None

    @classmethod
    def of(cls, values: Sequence[Any]) -> Row:
        n, engine_id, id_, tenant, version, created_at, state, status = values
        return cls(int(n), engine_id, id_, tenant, version, float(created_at), state, status)


def index_of(env: Any, uid: str) -> Any:
    """The stub of a tenant identity's index object."""
    namespace = getattr(env, INDEX_BINDING)
    return namespace.get(namespace.idFromName(uid))


async def page(
    index: Any,
    before: int | None,
    limit: int,
    unfinished_only: bool,
    created: tuple[float | None, float | None] = (None, None),
) -> list[Row]:
    rows = await index.page(before, limit, unfinished_only, *(to_js(t) for t in created))
    return [Row.of(r) for r in to_py(rows)]


async def engine_status(workflow: Any, engine_id: str) -> str:
    """The instance's status as the engine says now, ``MISSING`` when it has none."""
    try:
        instance = await workflow.get(engine_id)
        return str(to_py(await instance.status())["status"])
    except JsException:
        return MISSING


async def statuses(
    index: Any, workflow: Any, rows: Sequence[Row], cut_off_before: float | None = None
) -> dict[int, str]:
    """The engine's status of each row (concurrently), recorded in the index (see
    ``TenantIndex.observe`` for ``cut_off_before``)."""
    found = await asyncio.gather(*(engine_status(workflow, row.engine_id) for row in rows))
    seen = {row.n: status for row, status in zip(rows, found, strict=True)}
    if seen:
        pairs = to_js([[n, status] for n, status in seen.items()])
        await index.observe(pairs, to_js(cut_off_before))
    return seen
