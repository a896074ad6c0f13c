"""The admin API's routes of a tenant's instances: list (filtered by status and creation
time), one instance's entry, the operator's actions on one (pause, resume, terminate,
restart), and terminating every unfinished one. Each stays within the tenant: another
tenant's id is a 404."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pyodide.ffi import JsException

from dynamic_workflows import (
    DynamicWorkflowsError,
    InstanceNotFoundError,
    TenantScope,
    to_js,
    to_py,
)

from . import cursor, index_client, tail
from .admin_query import MAX_LIMIT, iso, limit_param, time_param
from .http import RequestError
from .index_client import FINAL, MISSING, Row, index_of
from .respond import error_response, json_response
from .store import Current, TenantStore

#: What an operator may do to one instance (the engine's instance methods of those names).
ACTIONS = ("pause", "resume", "terminate", "restart")

#: The statuses the engine reports, for the listing's ``status`` filter.
STATUSES = frozenset(
    {"queued", "running", "paused", "errored", "terminated", "complete", "waiting",
     "waitingForPause", "unknown", "reserved"}
)  # fmt: skip

#: How many index rows one listing request reads at most (with a status filter).
LIST_SCAN_LIMIT = 500


async def list_instances(env: Any, store: TenantStore, tenant: str, query: Any) -> Any:
    """A page of the tenant's instances, newest first, each with its live engine status."""
    current = await store.known(tenant)
    limit = limit_param(query.get("limit"))
    given = query.get("cursor")
    before = cursor.decode(str(given)) if given else None
    created = (time_param(query, "createdFrom"), time_param(query, "createdBefore"))
    wanted = {s for s in str(query.get("status") or "").split(",") if s}
    if wanted - STATUSES:
        raise RequestError(400, f"status must be among {sorted(STATUSES)} (comma-separated)")
    stub, workflow = index_of(env, current.uid), getattr(env, current.shard)
    found: list[dict[str, Any]] = []
    scanned = 0
    while len(found) < limit and scanned < LIST_SCAN_LIMIT:
        rows = await index_client.page(
            stub, before, limit if not wanted else MAX_LIMIT, False, created
        )
        if not rows:
            break
        seen = await index_client.statuses(stub, workflow, rows)
        for row in rows:
            before, scanned = row.n, scanned + 1
            status = seen[row.n]
            if status == MISSING:
                if row.state != "reserved":
                    continue  # deleted by the tenant (deleteBatch): the index forgot it
                status = "reserved"  # a create in flight, or one whose dispatcher died
            if not wanted or status in wanted:
                found.append(_listed(row, status))
                if len(found) == limit:
                    break
    more = before is not None and bool(await index_client.page(stub, before, 1, False, created))
    return json_response(
        {
            "tenant": tenant,
            "instances": found,
            "nextCursor": cursor.encode(before) if more and before is not None else None,
        }
    )


def _listed(row: Row, status: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "engineId": row.engine_id,
        "tenant": row.tenant,
        "codeVersion": row.version,
        "createdAt": iso(row.created_at),
        "status": status,
    }


async def instance_status(
    env: Any, store: TenantStore, tenant: str, instance_id: str, extra: dict[str, Any] | None = None
) -> Any:
    """An instance of the tenant: the engine's status, error and output, and the index's
    times; another tenant's instance (any id outside this tenant's scope) is a 404."""
    current = await store.known(tenant)
    engine_id = _scoped(current, instance_id)
    try:
        instance = await getattr(env, current.shard).get(engine_id)
        status = to_py(await instance.status())
    except JsException:
        return error_response(404, str(InstanceNotFoundError(instance_id)))
    stub = index_of(env, current.uid)
    row = to_py(await stub.entry(engine_id))
    if row is not None:
        await stub.observe(to_js([[row[0], status["status"]]]))
        row = to_py(await stub.entry(engine_id))
    error = status.get("error")
    return json_response(
        {
            "tenant": tenant,
            "id": instance_id,
            "engineId": engine_id,
            "shard": current.shard,
            **status,
            "error": None
            if not error
            else {"name": error.get("name"), "message": error.get("message")},
            "output": status.get("output"),
            "codeVersion": None if row is None else row[4],
            "createdAt": None if row is None else iso(float(row[5])),
            "updatedAt": None if row is None else iso(float(row[8] or row[5])),
            **(extra or {}),
        }
    )


def _scoped(current: Current, instance_id: str) -> str:
    try:
        return TenantScope.for_value(current.uid).scope(instance_id)
    except DynamicWorkflowsError as exc:
        raise RequestError(400, str(exc)) from None


async def act(env: Any, store: TenantStore, tenant: str, instance_id: str, action: str) -> Any:
    """Pause, resume, terminate or restart one of the tenant's instances, as the operator."""
    current = await store.known(tenant)
    engine_id = _scoped(current, instance_id)
    try:
        instance = await getattr(env, current.shard).get(engine_id)
    except JsException:
        return error_response(404, str(InstanceNotFoundError(instance_id)))
    try:
        await getattr(instance, action)()
    except JsException as exc:
        reason = str(getattr(getattr(exc, "js_error", None), "message", "") or exc)
        return error_response(409, f"the engine refused to {action} {instance_id!r}: {reason}")
    await tail.record_admin(current, tenant, instance_id, f"{action}: done by the operator")
    return await instance_status(env, store, tenant, instance_id, {"action": action})


async def terminate_all(env: Any, store: TenantStore, tenant: str) -> Any:
    current = await store.known(tenant)
    terminated = await terminate_unfinished(env, current)
    message = f"terminate-unfinished: {terminated} instance(s) terminated by the operator"
    await tail.record_admin(current, tenant, None, message)
    return json_response({"tenant": tenant, "terminated": terminated})


async def terminate_unfinished(env: Any, current: Current, in_flight_s: float = 0.0) -> int:
    """Terminate every instance the tenant's index holds as unfinished; how many ended.

    ``in_flight_s``: also wait that long for creates admitted (rows reserved) whose engine
    call has not answered yet, and terminate those the engine then has: with the index
    closed first (a DELETE), nothing created before it is left running.
    """
    stub, workflow = index_of(env, current.uid), getattr(env, current.shard)
    terminated, before, pending = 0, None, []
    while rows := await index_client.page(stub, before, MAX_LIMIT, True):
        before = rows[-1].n
        seen = await index_client.statuses(stub, workflow, rows)
        terminated += await _terminate_rows(workflow, rows, seen)
        pending += [r for r in rows if seen[r.n] == MISSING and r.state == "reserved"]
    deadline = time.monotonic() + in_flight_s
    while pending and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        seen = await index_client.statuses(stub, workflow, pending)
        terminated += await _terminate_rows(workflow, pending, seen)
        pending = [r for r in pending if seen[r.n] == MISSING]
    return terminated


async def _terminate_rows(workflow: Any, rows: list[Row], seen: dict[int, str]) -> int:
    live = [r for r in rows if seen[r.n] not in FINAL and seen[r.n] != MISSING]
    terminated = 0
    for start in range(0, len(live), 20):
        done = await asyncio.gather(
            *(_terminate(workflow, row.engine_id) for row in live[start : start + 20])
        )
        terminated += sum(done)
    return terminated


async def _terminate(workflow: Any, engine_id: str) -> bool:
    try:
        await (await workflow.get(engine_id)).terminate()
    except JsException:
        return False  # finished (or gone) since its status was read
    return True
