"""The admin API: ``/admin/...`` with ``Authorization: Bearer <ADMIN_TOKEN>``.

Tenants' code (upload, read, delete), their quotas and their instances. The
test-only ``/admin/debug/*`` routes live in ``debug`` and answer only where
``DW_DEBUG_ROUTES`` is set.
"""

from __future__ import annotations

import asyncio
import datetime
import hmac
import re
import time
from typing import Any

from js import URL
from pyodide.ffi import JsException

from dynamic_workflows import (
    DynamicWorkflowsError,
    InstanceNotFoundError,
    TenantScope,
    is_null,
    to_js,
    to_py,
)

from . import cursor, debug, index, logs, status, tail, wake
from .config import IN_FLIGHT_CREATE_S, LOG_LIMITS, OPEN_SHARDS
from .console_assets import console_asset
from .http import RequestError, read_json, whole_number
from .index import FINAL, MISSING, Row, index_of
from .quota import Quota
from .respond import error_response, json_response
from .shards import place
from .store import Current, TenantStore, new_uid
from .tenants import probe
from .uploads import check_tenant_id, parse_upload
from .wake import wake_stalled

_TENANT = re.compile(r"/admin/tenants/([^/]+)")
_INSTANCE = re.compile(r"/admin/tenants/([^/]+)/instances/([^/]+)")
_ACTION = re.compile(r"/admin/tenants/([^/]+)/instances/([^/]+)/([^/]+)")
_TERMINATE_UNFINISHED = re.compile(r"/admin/tenants/([^/]+)/terminate-unfinished")
#: What an operator may do to one instance (the engine's instance methods of those names).
ACTIONS = ("pause", "resume", "terminate", "restart")
_INSTANCES = re.compile(r"/admin/tenants/([^/]+)/instances/?")
_QUOTA = re.compile(r"/admin/tenants/([^/]+)/quota")
_CURRENT = re.compile(r"/admin/tenants/([^/]+)/current")
_TENANTS = re.compile(r"/admin/tenants/?")
_VERSION = re.compile(r"[0-9a-f]{20}")
_LOGS = re.compile(r"/admin/tenants/([^/]+)/logs")
#: The statuses the engine reports, for the listing's ``status`` filter.
STATUSES = frozenset(
    {"queued", "running", "paused", "errored", "terminated", "complete", "waiting",
     "waitingForPause", "unknown", "reserved"}
)  # fmt: skip
#: How many index rows one listing request reads at most (with a status filter).
LIST_SCAN_LIMIT = 500
MAX_LIMIT = 100


async def serve_admin(env: Any, request: Any, path: str) -> Any:
    """The console's files (no token), else check the bearer token and route the request."""
    asset = console_asset(path, request.method)
    if asset is not None:
        return asset
    token = str(getattr(env, "ADMIN_TOKEN", "") or "")
    if not token:
        return error_response(
            503, "ADMIN_TOKEN is not set: add it as a secret (.dev.vars locally)."
        )
    given = request.headers.get("authorization") or ""
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return error_response(401, "missing or wrong bearer token")
    store = TenantStore(env.TENANT_CODE)
    method = request.method
    if path == "/admin/status":
        if method != "GET":
            return error_response(405, "use GET")
        return json_response(await status.status(env))
    if match := _INSTANCES.fullmatch(path):
        tenant = check_tenant_id(match.group(1))
        return await _list_instances(env, store, tenant, URL.new(request.url).searchParams)
    if match := _ACTION.fullmatch(path):
        tenant, instance_id, action = check_tenant_id(match.group(1)), *match.group(2, 3)
        if action not in ACTIONS:
            return error_response(404, f"unknown action {action[:40]!r}: use one of {ACTIONS}")
        if method != "POST":
            return error_response(405, f"use POST to {action} an instance")
        return await _act(env, store, tenant, instance_id, action)
    if match := _INSTANCE.fullmatch(path):
        tenant, instance_id = check_tenant_id(match.group(1)), match.group(2)
        return await _instance_status(env, store, tenant, instance_id)
    if match := _TERMINATE_UNFINISHED.fullmatch(path):
        tenant = check_tenant_id(match.group(1))
        if method != "POST":
            return error_response(405, "use POST to terminate a tenant's unfinished instances")
        return await _terminate_all(env, store, tenant)
    if match := _LOGS.fullmatch(path):
        tenant = check_tenant_id(match.group(1))
        return await _logs(env, store, tenant, URL.new(request.url).searchParams)
    if match := _QUOTA.fullmatch(path):
        tenant = check_tenant_id(match.group(1))
        if method not in ("GET", "PUT"):
            return error_response(405, "use GET or PUT")
        body = await read_json(request) if method == "PUT" else None
        return await _quota(env, store, tenant, body)
    if match := _CURRENT.fullmatch(path):
        if method != "PUT":
            return error_response(405, 'use PUT with {"version": "<an earlier version>"}')
        tenant = check_tenant_id(match.group(1))
        return await _roll_back(env, store, tenant, await read_json(request))
    if _TENANTS.fullmatch(path):
        if method != "GET":
            return error_response(405, "use GET")
        return await _list_tenants(env, store, URL.new(request.url).searchParams)
    if match := _TENANT.fullmatch(path):
        tenant = check_tenant_id(match.group(1))
        if method == "PUT":
            return await _publish(env, store, tenant, await read_json(request))
        if method == "GET":
            return await _tenant(store, tenant)
        if method == "DELETE":
            return await _delete_tenant(env, store, tenant)
        return error_response(405, "use PUT, GET or DELETE")
    if path.startswith("/admin/debug/") and debug.enabled(env):
        return await debug.serve_debug(env, request, path)
    if path == "/admin/dev/wake" and wake.enabled(env):
        # The local engine's stalled instances, woken after a dev-server restart (wake.py).
        if method != "POST":
            return error_response(405, "use POST to wake stalled instances")
        return json_response((await wake_stalled(env, await _started_at(request))).to_json())
    return error_response(404, "unknown admin route")


async def _publish(env: Any, store: TenantStore, tenant: str, body: Any) -> Any:
    """Check an upload, prove it loads in workerd, then store it and make it current."""
    code = parse_upload(body)
    current = await store.current(tenant)
    uid = new_uid() if current is None else current.uid
    # A tenant's shard is chosen once, at its first upload, and kept with its identity.
    shard = place(uid, OPEN_SHARDS) if current is None else current.shard
    failure = await probe(env, tenant, uid, code.version, code, shard)
    if failure is not None:
        return error_response(400, f"the code does not load: {failure}")
    seen = None if current is None else current.uid
    stored = await store.publish(tenant, code, uid, shard, seen_uid=seen)
    return json_response(
        {"tenant": tenant, "version": stored.version, "uid": stored.uid, "shard": stored.shard},
        201,
    )


async def _tenant(store: TenantStore, tenant: str) -> Any:
    current = await _known(store, tenant)
    history = await store.history(tenant)
    return json_response(
        {
            "tenant": tenant,
            "uid": current.uid,
            "version": current.version,
            "shard": current.shard,
            "versions": sorted(version for version, _ in history),
            "history": [{"version": v, "uploaded": at} for v, at in history],
        }
    )


#: The most tenants one page of ``GET /admin/tenants`` lists (each is a pointer read and an
#: index call).
MAX_TENANTS = 100


async def _list_tenants(env: Any, store: TenantStore, query: Any) -> Any:
    """A page of tenants by name (``?limit=`` 1-100, 20; ``?cursor=`` from the last), each
    with its shard, current version, unfinished count and quota."""
    limit = _limit(query.get("limit"), default=20, most=MAX_TENANTS)
    given = _param(query, "cursor")
    try:
        names, after = await store.tenants(given or None, limit)
    except JsException:
        raise RequestError(
            400, "cursor is not one this API returned: pass nextCursor back"
        ) from None

    async def described(name: str) -> dict[str, Any] | None:
        current = await store.current(name)
        if current is None:
            return None  # deleted since it was listed
        state = to_py(await index_of(env, current.uid).quota())
        return {
            "tenant": name,
            "shard": current.shard,
            "version": current.version,
            "unfinished": state["unfinished"],
            "quota": state["quota"],
        }

    tenants = [t for t in await asyncio.gather(*(described(n) for n in names)) if t]
    return json_response({"tenants": tenants, "nextCursor": after})


async def _roll_back(env: Any, store: TenantStore, tenant: str, body: Any) -> Any:
    """Point the tenant's ``current`` at an earlier stored version (proved to load first).

    Its identity and shard stay; instances keep the version they were created with, and
    new ones (and the tenant's requests) get this one.
    """
    current = await _known(store, tenant)
    version = body.get("version") if isinstance(body, dict) else None
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise RequestError(
            400, 'the body must be {"version": "<20 hex digits>"}, one of the tenant\'s versions'
        )
    code = await store.load(tenant, version)
    if code is None:
        raise RequestError(
            404,
            f"tenant {tenant!r} has no version {version}: GET /admin/tenants/{tenant} "
            "lists its versions",
        )
    failure = await probe(env, tenant, current.uid, version, code, current.shard)
    if failure is not None:
        return error_response(400, f"version {version} does not load any more: {failure}")
    await store.point(tenant, Current(current.uid, version, current.shard), code)
    return json_response({"tenant": tenant, "version": version, "previous": current.version})


async def _instance_status(
    env: Any, store: TenantStore, tenant: str, instance_id: str, extra: dict[str, Any] | None = None
) -> Any:
    """An instance of the tenant: the engine's status, error and output, and the index's
    times; another tenant's instance (any id outside this tenant's scope) is a 404."""
    current = await _known(store, tenant)
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
            "createdAt": None if row is None else _iso(float(row[5])),
            "updatedAt": None if row is None else _iso(float(row[8] or row[5])),
            **(extra or {}),
        }
    )


def _scoped(current: Current, instance_id: str) -> str:
    try:
        return TenantScope.for_value(current.uid).scope(instance_id)
    except DynamicWorkflowsError as exc:
        raise RequestError(400, str(exc)) from None


async def _act(env: Any, store: TenantStore, tenant: str, instance_id: str, action: str) -> Any:
    """Pause, resume, terminate or restart one of the tenant's instances, as the operator."""
    current = await _known(store, tenant)
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
    return await _instance_status(env, store, tenant, instance_id, {"action": action})


async def _terminate_all(env: Any, store: TenantStore, tenant: str) -> Any:
    current = await _known(store, tenant)
    terminated = await _terminate_unfinished(env, current)
    message = f"terminate-unfinished: {terminated} instance(s) terminated by the operator"
    await tail.record_admin(current, tenant, None, message)
    return json_response({"tenant": tenant, "terminated": terminated})


async def _terminate_unfinished(env: Any, current: Current, in_flight_s: float = 0.0) -> int:
    """Terminate every instance the tenant's index holds as unfinished; how many ended.

    ``in_flight_s``: also wait that long for creates admitted (rows reserved) whose engine
    call has not answered yet, and terminate those the engine then has: with the index
    closed first (a DELETE), nothing created before it is left running.
    """
    stub, workflow = index_of(env, current.uid), getattr(env, current.shard)
    terminated, before, pending = 0, None, []
    while rows := await index.page(stub, before, MAX_LIMIT, True):
        before = rows[-1].n
        seen = await index.statuses(stub, workflow, rows)
        terminated += await _terminate_rows(workflow, rows, seen)
        pending += [r for r in rows if seen[r.n] == MISSING and r.state == "reserved"]
    deadline = time.monotonic() + in_flight_s
    while pending and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        seen = await index.statuses(stub, workflow, pending)
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


async def _known(store: TenantStore, tenant: str) -> Current:
    current = await store.current(tenant)
    if current is None:
        raise RequestError(404, f"unknown tenant {tenant!r}")
    return current


async def _quota(env: Any, store: TenantStore, tenant: str, body: Any) -> Any:
    """GET: the tenant's quota and unfinished count; PUT: set the fields the body names."""
    current = await _known(store, tenant)
    stub = index_of(env, current.uid)
    state = to_py(await stub.quota())
    if body is not None:
        quota = Quota.from_json(body, Quota(**state["quota"]))
        state = to_py(await stub.set_quota(to_js(quota.to_json())))
    return json_response({"tenant": tenant, **state})


async def _logs(env: Any, store: TenantStore, tenant: str, params: Any) -> Any:
    """A page of the tenant's logs, newest first (or the entries after ``after``, oldest first)."""
    current = await _known(store, tenant)
    query = logs.LogQuery.from_params(lambda name: _param(params, name))
    asked = {
        "instance": query.instance,
        "levels": sorted(query.levels),
        "before": query.before,
        "after": query.after,
        "limit": query.limit,
    }
    answer = to_py(await index_of(env, current.uid).logs(to_js(asked)))
    rows = answer["rows"]
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    entries = [_log_entry(row) for row in rows]
    older = more and query.after is None
    return json_response(
        {
            "tenant": tenant,
            "logs": entries,
            "nextCursor": cursor.encode(rows[-1][0], logs.CURSOR_KIND) if older else None,
            "more": more,
            "stored": answer["stats"],
            "limits": {"entries": LOG_LIMITS.entries, "bytes": LOG_LIMITS.bytes},
        }
    )


def _param(params: Any, name: str) -> str | None:
    value = params.get(name)
    return None if is_null(value) else str(value)


def _log_entry(row: list[Any]) -> dict[str, Any]:
    seq, at, level, source, instance, name, message = row
    return {
        "seq": int(seq),
        "at": _iso(float(at) / 1000),
        "level": level,
        "source": source,
        "instance": instance,
        "name": name,
        "message": message,
    }


def _iso(seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _list_instances(env: Any, store: TenantStore, tenant: str, query: Any) -> Any:
    """A page of the tenant's instances, newest first, each with its live engine status."""
    current = await _known(store, tenant)
    limit = _limit(query.get("limit"))
    given = query.get("cursor")
    before = cursor.decode(str(given)) if given else None
    created = (_time(query, "createdFrom"), _time(query, "createdBefore"))
    wanted = {s for s in str(query.get("status") or "").split(",") if s}
    if wanted - STATUSES:
        raise RequestError(400, f"status must be among {sorted(STATUSES)} (comma-separated)")
    stub, workflow = index_of(env, current.uid), getattr(env, current.shard)
    found: list[dict[str, Any]] = []
    scanned = 0
    while len(found) < limit and scanned < LIST_SCAN_LIMIT:
        rows = await index.page(stub, before, limit if not wanted else MAX_LIMIT, False, created)
        if not rows:
            break
        seen = await index.statuses(stub, workflow, rows)
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
    more = before is not None and bool(await index.page(stub, before, 1, False, created))
    return json_response(
        {
            "tenant": tenant,
            "instances": found,
            "nextCursor": cursor.encode(before) if more and before is not None else None,
        }
    )


async def _started_at(request: Any) -> float | None:
    """``startedAt`` (epoch milliseconds) of a wake-up's body, in seconds; None without one."""
    if request.headers.get("content-length") in (None, "0"):
        return None
    body = await read_json(request)
    started = body.get("startedAt") if isinstance(body, dict) else None
    if started is None:
        return None
    if isinstance(started, bool) or not isinstance(started, int) or started < 0:
        raise RequestError(400, "startedAt must be epoch milliseconds (a whole number)")
    return float(started) / 1000


def _limit(text: Any, *, default: int = 20, most: int = MAX_LIMIT) -> int:
    if not text:
        return default
    return whole_number(str(text), "limit", 1, most)


def _time(query: Any, name: str) -> float | None:
    """A time parameter (ISO 8601, or milliseconds since the epoch) in seconds."""
    text = _param(query, name)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        # At most JavaScript's latest date (8.64e15 ms): the bound reaches SQL as a number.
        return whole_number(text, name, 0, 8_640_000_000_000_000) / 1000
    try:
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        raise RequestError(
            400, f"{name} must be an ISO 8601 time (2026-12-07T10:00:00Z) or epoch milliseconds"
        ) from None


def _listed(row: Row, status: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "engineId": row.engine_id,
        "tenant": row.tenant,
        "codeVersion": row.version,
        "createdAt": _iso(row.created_at),
        "status": status,
    }


async def _delete_tenant(env: Any, store: TenantStore, tenant: str) -> Any:
    """Close the tenant's index, terminate every unfinished instance it holds, then remove
    its code; 404 for a tenant that does not exist (nothing was deleted)."""
    current = await _known(store, tenant)
    stub = index_of(env, current.uid)
    await stub.close()  # no create is admitted from here on, through any isolate
    terminated = await _terminate_unfinished(env, current, IN_FLIGHT_CREATE_S)
    await stub.clear()
    removed = await store.delete(tenant)
    return json_response(
        {"tenant": tenant, "deletedVersions": removed, "terminatedInstances": terminated}
    )


async def _terminate(workflow: Any, engine_id: str) -> bool:
    try:
        await (await workflow.get(engine_id)).terminate()
    except JsException:
        return False  # finished (or gone) since its status was read
    return True
