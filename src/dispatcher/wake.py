"""After a local restart, wake the instances the local Workflows engine left stalled.

Local only: miniflare's engine (wrangler dev) keeps a ``step.sleep``'s wake-up and a failed
step's retry back-off in in-memory timers and arms no alarm. When the dev server stops
(gracefully or not), an instance in either, and one that was mid-step, stays ``running``
after the restart until something calls into its engine object; Cloudflare's engine wakes
them itself. An event of any type is such a call: the engine stores it and, not running the
instance, starts it again (it replays the steps done and goes on where it stopped).

``POST /admin/dev/wake`` (development runtime only, with ``DW_DEV_WAKE=1``: the dev tooling
sets it, and calls the route each time the dev server has started) sends every unfinished
instance that any tenant's index holds, and that the engine reports queued, running or
waiting, an event of type ``WAKE_EVENT``. A tenant Workflow that waited for an event of
exactly that type would receive it. With
``{"startedAt": <epoch ms>}`` (when the dev server began starting), the reservations of
creates the stop cut off (made before then, unknown to the engine) are dropped at once
instead of 30 s on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pyodide.ffi import JsException

from dynamic_workflows import development_runtime, to_js

from . import index_client
from .config import DEV_WAKE_VARIABLE
from .index_client import MISSING, index_of
from .store import TenantStore

#: The type of the event that wakes an instance (no tenant should wait for it).
WAKE_EVENT = "dynamic-workflows-local-wake"
#: Statuses of an instance that may be stalled after a restart (an instance waiting for an
#: event is reported as running by the local engine).
MAY_BE_STALLED = frozenset({"queued", "running", "waiting"})
_PAGE = 100
_AT_ONCE = 20


def enabled(env: Any) -> bool:
    """The wake-up route: the local engine's fix, never a deployed dispatcher's."""
    return development_runtime() and str(getattr(env, DEV_WAKE_VARIABLE, "")) == "1"


@dataclass
class Woken:
    """What one wake-up pass found and did."""

    tenants: int = 0
    unfinished: int = 0
    woken: int = 0
    failed: int = 0
    cut_off: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "tenants": self.tenants,
            "unfinished": self.unfinished,
            "woken": self.woken,
            "failed": self.failed,
            "cutOffReservations": self.cut_off,
        }


async def wake_stalled(env: Any, started_at: float | None = None) -> Woken:
    """Send ``WAKE_EVENT`` to every instance the engine may have left stalled; drop the
    reservations made before ``started_at`` (seconds) that the engine does not know."""
    store, done = TenantStore(env.TENANT_CODE), Woken()
    cursor: str | None = None
    while True:
        names, cursor = await store.tenants(cursor, 1000)
        for tenant in names:
            current = await store.current(tenant)
            if current is None:
                continue
            done.tenants += 1
            stub, workflow = index_of(env, current.uid), getattr(env, current.shard)
            before = None
            while rows := await index_client.page(stub, before, _PAGE, True):
                before = rows[-1].n
                seen = await index_client.statuses(stub, workflow, rows, started_at)
                done.cut_off += sum(
                    1
                    for row in rows
                    if seen[row.n] == MISSING
                    and row.state == "reserved"
                    and started_at is not None
                    and row.created_at < started_at
                )
                stalled = [row.engine_id for row in rows if seen[row.n] in MAY_BE_STALLED]
                done.unfinished += len(stalled)
                for start in range(0, len(stalled), _AT_ONCE):
                    batch = stalled[start : start + _AT_ONCE]
                    sent = await asyncio.gather(*(_wake(workflow, e) for e in batch))
                    done.woken += sum(sent)
                    done.failed += len(sent) - sum(sent)
        if cursor is None:
            return done


async def _wake(workflow: Any, engine_id: str) -> bool:
    try:
        instance = await workflow.get(engine_id)
        await instance.sendEvent(to_js({"type": WAKE_EVENT, "payload": None}))
    except JsException:
        return False  # finished or gone since its status was read
    return True
