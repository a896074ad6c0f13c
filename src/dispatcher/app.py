"""The dispatcher's HTTP surface: an admin API and tenant traffic.

* ``/admin/...`` needs ``Authorization: Bearer <ADMIN_TOKEN>``.
* ``/t/<tenant>/<path>`` goes to the tenant's ``fetch`` as ``/<path>``.
"""

from __future__ import annotations

import asyncio
import datetime
import hmac
import json
import re
import traceback
from functools import cache
from typing import Any, cast

from js import URL, Date, console
from pyodide.ffi import JsException
from workers import Request, Response, WorkerEntrypoint, import_from_javascript

from dynamic_workflows import (
    DynamicWorkflowsError,
    InstanceNotFoundError,
    create_dynamic_workflow_entrypoint,
    wrap_workflow_binding,
)
from dynamic_workflows.core import TenantScope
from dynamic_workflows.runtime import dispatch, native
from dynamic_workflows.runtime.convert import to_js, to_py
from dynamic_workflows.runtime.surface import RpcSurface

from . import cursor, index, routing
from .config import OPEN_SHARDS, SHARDS
from .http import CREDENTIAL_HEADERS, RequestError, body_length, error_id, parse_json
from .index import FINAL, MISSING, Row, index_of
from .quota import Quota, QuotaError
from .shards import place
from .store import Current, TenantStore, new_uid
from .tenants import (
    SCOPE_KEY,
    WORKFLOW_ENTRYPOINT,
    TenantDeletedError,
    probe,
    tenant_worker,
)
from .uploads import TENANT_ID, TenantCode, UploadError, check_tenant_id, parse_upload

_TENANT_ROUTE = re.compile(r"/t/([^/]+)(/.*)?")
_ADMIN_TENANT = re.compile(r"/admin/tenants/([^/]+)")
_ADMIN_INSTANCE = re.compile(r"/admin/tenants/([^/]+)/instances/([^/]+)")
_ADMIN_INSTANCES = re.compile(r"/admin/tenants/([^/]+)/instances/?")
_ADMIN_QUOTA = re.compile(r"/admin/tenants/([^/]+)/quota")
#: The statuses the engine reports, for the listing's ``status`` filter.
STATUSES = frozenset(
    {"queued", "running", "paused", "errored", "terminated", "complete", "waiting",
     "waitingForPause", "unknown", "reserved"}
)  # fmt: skip
_DEBUG_INDEX = re.compile(r"/admin/debug/index/(on|off|python|broken)")
_DEBUG_UNCHECKED_UPLOAD = re.compile(r"/admin/debug/unchecked-upload/([^/]+)")
_DEBUG_RAW_ACTION = re.compile(r"/admin/debug/raw-action/([^/]+)/(pause|resume|restart|terminate)")


def _env() -> Any:
    """The raw JavaScript env (bindings as the runtime gives them)."""
    return _workers_module().env


@cache
def _workers_module() -> Any:
    return import_from_javascript("cloudflare:workers")


def _debug_routes(env: Any) -> bool:
    """The test-only /admin/debug/* routes (never set when deployed)."""
    return str(getattr(env, "DW_DEBUG_ROUTES", "")) == "1"


async def _raw_fetch(js_request: Any, *_: Any) -> Any:
    """``Default.fetch`` on the JavaScript request, answering with a JavaScript response.

    (Should the raw path not install, workerd converts the request to the SDK's
    ``Request`` first and takes the response as it is: both work.)
    """
    request = js_request if isinstance(js_request, Request) else Request(js_request)
    response = await Default.fetch(_HANDLER, request)
    return getattr(response, "js_object", response)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, headers={"content-type": "application/json"})


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, status)


class Default(WorkerEntrypoint):
    """The dispatcher's HTTP entrypoint.

    Like the wrapped binding, workerd gets an ``RpcSurface`` whose only method is
    ``fetch``: calls on it take the library's raw-argument path (the request as
    the JavaScript object it is, the response handed back as one), past the
    SDK's per-call conversions and instance set-up.
    """

    def __new__(cls, ctx: Any, env: Any = None) -> Default:
        dispatch.install()
        return cast(Default, _SURFACE)

    async def fetch(self, request: Any) -> Any:
        try:
            env = _env()
            path = URL.new(request.url).pathname
            if path.startswith("/admin/"):
                return await self._admin(env, request, path)
            match = _TENANT_ROUTE.fullmatch(path)
            if match:
                return await self._tenant(env, request, match.group(1), match.group(2) or "/")
            return _error(404, "not found: use /t/<tenant>/... or /admin/...")
        except RequestError as exc:
            return _error(exc.status, str(exc))
        except (UploadError, QuotaError, cursor.CursorError) as exc:
            return _error(400, str(exc))
        except Exception:
            # Nothing raises past the handler: the caller gets an id, the log the traceback.
            return _internal_error("internal error")

    async def _tenant(self, env: Any, request: Any, tenant: str, rest: str) -> Any:
        store = TenantStore(env.TENANT_CODE)
        current = await store.current(tenant) if TENANT_ID.fullmatch(tenant) else None
        try:
            code = None if current is None else await store.load(tenant, current.version)
        except UploadError:
            # Stored before a check it now fails (e.g. a flag taken off the allowlist).
            return _internal_error(f"tenant {tenant!r} has code that must be uploaded again", 502)
        if current is None or code is None:
            return _error(404, f"unknown tenant {tenant[:80]!r}")
        url = URL.new(request.url)
        url.pathname = rest
        worker = tenant_worker(env, tenant, current.uid, current.version, code, current.shard)
        return await routing.forward(
            worker, url.toString(), request.js_object, CREDENTIAL_HEADERS, _tenant_failed, tenant
        )

    async def _admin(self, env: Any, request: Any, path: str) -> Any:
        token = str(getattr(env, "ADMIN_TOKEN", "") or "")
        if not token:
            return _error(503, "ADMIN_TOKEN is not set: add it as a secret (.dev.vars locally).")
        given = request.headers.get("authorization") or ""
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return _error(401, "missing or wrong bearer token")
        store = TenantStore(env.TENANT_CODE)
        method = request.method
        if match := _ADMIN_INSTANCES.fullmatch(path):
            tenant = check_tenant_id(match.group(1))
            return await _list_instances(env, store, tenant, URL.new(request.url).searchParams)
        if match := _ADMIN_INSTANCE.fullmatch(path):
            tenant, instance_id = check_tenant_id(match.group(1)), match.group(2)
            return await _instance_status(env, store, tenant, instance_id)
        if match := _ADMIN_QUOTA.fullmatch(path):
            tenant = check_tenant_id(match.group(1))
            if method not in ("GET", "PUT"):
                return _error(405, "use GET or PUT")
            body = await _json_body(request) if method == "PUT" else None
            return await _quota(env, store, tenant, body)
        if match := _ADMIN_TENANT.fullmatch(path):
            tenant = check_tenant_id(match.group(1))
            if method == "PUT":
                return await _publish(env, store, tenant, await _json_body(request))
            if method == "GET":
                current = await store.current(tenant)
                if current is None:
                    return _error(404, f"unknown tenant {tenant!r}")
                versions = await store.versions(tenant)
                return _json(
                    {
                        "tenant": tenant,
                        "uid": current.uid,
                        "version": current.version,
                        "shard": current.shard,
                        "versions": versions,
                    }
                )
            if method == "DELETE":
                return await _delete_tenant(env, store, tenant)
            return _error(405, "use PUT, GET or DELETE")
        if path.startswith("/admin/debug/") and _debug_routes(env):
            return await _debug(env, request, path)
        return _error(404, "unknown admin route")


#: One handler object serves every request (it keeps no state); workerd sees only _SURFACE.
_HANDLER = object.__new__(Default)
_SURFACE = RpcSurface({"fetch": _raw_fetch})


async def _json_body(request: Any) -> Any:
    """The request's JSON body: its length checked before it is read, its depth before parsing."""
    body_length(request.headers.get("content-length"))
    return parse_json(await request.text())


async def _publish(env: Any, store: TenantStore, tenant: str, body: Any) -> Any:
    """Check an upload, prove it loads in workerd, then store it and make it current."""
    code = parse_upload(body)
    current = await store.current(tenant)
    uid = new_uid() if current is None else current.uid
    # A tenant's shard is chosen once, at its first upload, and kept with its identity.
    shard = place(uid, OPEN_SHARDS) if current is None else current.shard
    failure = await probe(env, tenant, uid, code.version, code, shard)
    if failure is not None:
        return _error(400, f"the code does not load: {failure}")
    version = await store.publish(tenant, code, uid, shard)
    return _json({"tenant": tenant, "version": version}, 201)


def _internal_error(message: str, status: int = 500, detail: str | None = None) -> Response:
    """A response for an unexpected failure: an id to quote, the traceback only in the log."""
    reference = error_id()
    logged = traceback.format_exc() if detail is None else detail
    console.error(f"dispatcher error {reference}: {message}\n{logged}")
    return _json({"error": message, "id": reference}, status)


def _tenant_failed(tenant: str, detail: str) -> Any:
    """The tenant's fetch threw, or its code did not load: say which tenant, not how."""
    return _internal_error(f"tenant {tenant!r} failed to answer", 502, detail).js_object


async def _debug(env: Any, request: Any, path: str) -> Any:
    """Test-only routes that let the tests reach the library's edges."""
    if path == "/admin/debug/raw-create":
        # What an unwrapped create leads to: MissingDispatcherMetadataError in run().
        instance = await getattr(env, SHARDS[0]).create(to_js({"params": {"raw": True}}))
        return _json({"id": instance.id})
    if path == "/admin/debug/raw-creates":
        # The benchmarks' baseline: n creates on the unwrapped binding, timed in the worker
        # (Date.now advances across I/O), as bench/tenants time n wrapped creates.
        body = await _json_body(request)
        options = to_js({"params": body.get("params")})
        start = Date.now()
        workflow = getattr(env, SHARDS[0])
        for _ in range(body["n"]):
            await workflow.create(options)
        return _json({"ms": Date.now() - start, "n": body["n"]})
    if path.startswith("/admin/debug/raw-status/"):
        instance = await _on_any_shard(env, path.rsplit("/", 1)[1])
        return _json(to_py(await instance.status()))
    if match := _DEBUG_INDEX.fullmatch(path):
        # The benchmarks' baseline: wrapped creates without the index and quotas; and the
        # hook's Python path (reserve) instead of its native one, for the tests.
        index.ENABLED["index"] = match.group(1) != "off"
        index.ENABLED["native"] = match.group(1) in ("on", "broken")
        index.ENABLED["broken"] = match.group(1) == "broken"
        return _json(index.ENABLED)
    if match := _DEBUG_RAW_ACTION.fullmatch(path):
        # What the engine does with any instance (a restart re-runs it from the start).
        instance = await _on_any_shard(env, match.group(1))
        await getattr(instance, match.group(2))()
        return _json({"id": match.group(1), "done": match.group(2)})
    if match := _DEBUG_UNCHECKED_UPLOAD.fullmatch(path):
        # Code stored without the load probe, as an older dispatcher would have stored it.
        tenant, store = check_tenant_id(match.group(1)), TenantStore(env.TENANT_CODE)
        code = parse_upload(await _json_body(request))
        current = await store.current(tenant)
        uid, shard = (new_uid(), SHARDS[0]) if current is None else (current.uid, current.shard)
        version = await store.publish(tenant, code, uid, shard)
        return _json({"tenant": tenant, "version": version}, 201)
    if path == "/admin/debug/fast-paths":
        # Which of the private or bundle-dependent fast paths this isolate runs on.
        await routing.load()
        await native.load()
        return _json(
            {
                "rawDispatch": dispatch.installed(),
                "nativeParams": native.installed(),
                "routing": routing.installed(),
            }
        )
    if path == "/admin/debug/raise":
        # An unexpected failure inside a handler, for the catch-all's test.
        raise RuntimeError("raised on purpose by /admin/debug/raise")
    if path == "/admin/debug/wrap":
        body = await _json_body(request)
        metadata = body["metadata"]
        if body.get("addDate"):
            metadata["createdAt"] = datetime.datetime.now(datetime.UTC)
        try:
            wrap_workflow_binding(metadata)
        except DynamicWorkflowsError as exc:
            return _error(400, f"{type(exc).__name__}: {exc}")
        return _json({"wrapped": True})
    return _error(404, "unknown debug route")


async def _on_any_shard(env: Any, engine_id: str) -> Any:
    """The engine instance of that id on whichever shard has it (debug routes only)."""
    for shard in SHARDS[:-1]:
        try:
            return await getattr(env, shard).get(engine_id)
        except JsException:
            continue
    return await getattr(env, SHARDS[-1]).get(engine_id)


async def _instance_status(env: Any, store: TenantStore, tenant: str, instance_id: str) -> Any:
    current = await store.current(tenant)
    if current is None:
        return _error(404, f"unknown tenant {tenant!r}")
    try:
        engine_id = TenantScope.for_value(current.uid).scope(instance_id)
    except DynamicWorkflowsError as exc:
        return _error(400, str(exc))
    try:
        instance = await getattr(env, current.shard).get(engine_id)
        status = to_py(await instance.status())
    except JsException:
        return _error(404, str(InstanceNotFoundError(instance_id)))
    return _json(
        {
            "tenant": tenant,
            "id": instance_id,
            "engineId": engine_id,
            "shard": current.shard,
            **status,
        }
    )


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
    return _json({"tenant": tenant, **state})


#: How many index rows one listing request reads at most (with a status filter).
LIST_SCAN_LIMIT = 500
MAX_LIMIT = 100


async def _list_instances(env: Any, store: TenantStore, tenant: str, query: Any) -> Any:
    """A page of the tenant's instances, newest first, each with its live engine status."""
    current = await _known(store, tenant)
    limit = _limit(query.get("limit"))
    given = query.get("cursor")
    before = cursor.decode(str(given)) if given else None
    wanted = {s for s in str(query.get("status") or "").split(",") if s}
    if wanted - STATUSES:
        raise RequestError(400, f"status must be among {sorted(STATUSES)} (comma-separated)")
    stub, workflow = index_of(env, current.uid), getattr(env, current.shard)
    found: list[dict[str, Any]] = []
    scanned = 0
    while len(found) < limit and scanned < LIST_SCAN_LIMIT:
        rows = await index.page(stub, before, limit if not wanted else MAX_LIMIT, False)
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
    more = before is not None and bool(await index.page(stub, before, 1, False))
    return _json(
        {
            "tenant": tenant,
            "instances": found,
            "nextCursor": cursor.encode(before) if more and before is not None else None,
        }
    )


def _limit(text: Any) -> int:
    if not text:
        return 20
    if not str(text).isdigit() or not 1 <= int(str(text)) <= MAX_LIMIT:
        raise RequestError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(str(text))


def _listed(row: Row, status: str) -> dict[str, Any]:
    created = datetime.datetime.fromtimestamp(row.created_at, datetime.UTC)
    return {
        "id": row.id,
        "engineId": row.engine_id,
        "tenant": row.tenant,
        "codeVersion": row.version,
        "createdAt": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "status": status,
    }


async def _delete_tenant(env: Any, store: TenantStore, tenant: str) -> Any:
    """Terminate every unfinished instance in the tenant's index, then remove its code."""
    current = await store.current(tenant)
    terminated = 0
    if current is not None:
        stub, workflow = index_of(env, current.uid), getattr(env, current.shard)
        before = None
        while rows := await index.page(stub, before, MAX_LIMIT, True):
            before = rows[-1].n
            seen = await index.statuses(stub, workflow, rows)
            live = [r for r in rows if seen[r.n] not in FINAL and seen[r.n] != MISSING]
            for start in range(0, len(live), 20):
                done = await asyncio.gather(
                    *(_terminate(workflow, row.engine_id) for row in live[start : start + 20])
                )
                terminated += sum(done)
        await stub.clear()
    removed = await store.delete(tenant)
    return _json({"tenant": tenant, "deletedVersions": removed, "terminatedInstances": terminated})


async def _terminate(workflow: Any, engine_id: str) -> bool:
    try:
        await (await workflow.get(engine_id)).terminate()
    except JsException:
        return False  # finished (or gone) since its status was read
    return True


def _load_runner(metadata: dict[str, Any], env: Any, ctx: Any) -> Any:
    """The tenant's TenantWorkflow, at the code version the instance was created with.

    Only while the tenant that created the instance exists: a deleted tenant's
    instances end (TenantDeletedError) the next time the engine runs them, even
    when a new tenant now has the name. Answers at once when this isolate has
    the tenant's pointer and code (the library then forwards the run without
    another Python turn), else with a coroutine that reads them.
    """
    tenant, uid, version = metadata["tenantId"], metadata[SCOPE_KEY], metadata["codeVersion"]
    cached = TenantStore.cached(tenant, version)
    if cached is None:
        return _read_runner(tenant, uid, version)
    return _runner(tenant, uid, version, *cached)


async def _read_runner(tenant: str, uid: str, version: str) -> Any:
    store = TenantStore(_env().TENANT_CODE)
    return _runner(
        tenant, uid, version, await store.current(tenant), await store.load(tenant, version)
    )


def _runner(
    tenant: str, uid: str, version: str, current: Current | None, code: TenantCode | None
) -> Any:
    if current is None or current.uid != uid:
        raise TenantDeletedError(tenant)
    if code is None:
        raise RuntimeError(f"code version {version} of tenant {tenant!r} is gone")
    worker = tenant_worker(_env(), tenant, uid, version, code, current.shard)
    return worker.getEntrypoint(WORKFLOW_ENTRYPOINT)


DynamicWorkflow = create_dynamic_workflow_entrypoint(_load_runner, scope_key=SCOPE_KEY)
