"""Test-only admin routes (``/admin/debug/*``) that let the tests reach the library's edges.

They answer only where ``DW_DEBUG_ROUTES`` is ``1`` (the test suite's dev server); a
deployed dispatcher never sets it, and its admin API answers them 404.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from js import Date
from pyodide.ffi import JsException, jsnull  # type: ignore[attr-defined]

from dynamic_workflows import (
    DynamicWorkflowsError,
    TenantScope,
    force_fallback,
    private_details,
    to_js,
    to_py,
    wrap_workflow_binding,
)

from . import admission, routing, tail
from .config import DEBUG_ROUTES_VARIABLE, SHARDS
from .http import read_json
from .index_client import index_of
from .respond import error_response, json_response
from .store import TenantStore, new_uid
from .tenants import worker_code
from .uploads import check_tenant_id, parse_upload

_INDEX = re.compile(r"/admin/debug/index/(on|off|python|broken)")
_TAILS = re.compile(r"/admin/debug/tails/(on|off)")
_UNCHECKED_UPLOAD = re.compile(r"/admin/debug/unchecked-upload/([^/]+)")
_WORKER_CODE = re.compile(r"/admin/debug/worker-code/([^/]+)")
_RESERVE_ONLY = re.compile(r"/admin/debug/reserve-only/([^/]+)/([^/]+)")
_RAW_ACTION = re.compile(r"/admin/debug/raw-action/([^/]+)/(pause|resume|restart|terminate)")
_FALLBACK = re.compile(r"/admin/debug/fallback/([a-z-]+)")
_INDEX_LOGS = re.compile(r"/admin/debug/index-logs/([0-9a-f]+)")


def enabled(env: Any) -> bool:
    """The test-only /admin/debug/* routes (never set when deployed)."""
    return str(getattr(env, DEBUG_ROUTES_VARIABLE, "")) == "1"


async def serve_debug(env: Any, request: Any, path: str) -> Any:
    if path == "/admin/debug/raw-create":
        # What an unwrapped create leads to: MissingDispatcherMetadataError in run().
        instance = await getattr(env, SHARDS[0]).create(to_js({"params": {"raw": True}}))
        return json_response({"id": instance.id})
    if path == "/admin/debug/raw-creates":
        # The benchmarks' baseline: n creates on the unwrapped binding, timed in the worker
        # (Date.now advances across I/O), as bench/tenants time n wrapped creates.
        body = await read_json(request)
        options = to_js({"params": body.get("params")})
        start = Date.now()
        workflow = getattr(env, SHARDS[0])
        for _ in range(body["n"]):
            await workflow.create(options)
        return json_response({"ms": Date.now() - start, "n": body["n"]})
    if path.startswith("/admin/debug/raw-status/"):
        instance = await _on_any_shard(env, path.rsplit("/", 1)[1])
        return json_response(to_py(await instance.status()))
    if match := _TAILS.fullmatch(path):
        # The benchmarks' baseline: tenant workers loaded from now on carry no tail.
        tail.ENABLED["tails"] = match.group(1) == "on"
        return json_response(tail.ENABLED)
    if match := _INDEX.fullmatch(path):
        # The benchmarks' baseline: wrapped creates without the index and quotas; and the
        # hook's Python path (reserve) instead of its native one, for the tests.
        admission.ENABLED["index"] = match.group(1) != "off"
        admission.ENABLED["native"] = match.group(1) in ("on", "broken")
        admission.ENABLED["broken"] = match.group(1) == "broken"
        return json_response(admission.ENABLED)
    if match := _INDEX_LOGS.fullmatch(path):
        # Any identity's log store, a deleted one's too: POST appends a batch as a late tail
        # event would; the answer is what the store holds.
        return await _index_logs(env, request, match.group(1))
    if match := _RAW_ACTION.fullmatch(path):
        # What the engine does with any instance (a restart re-runs it from the start).
        instance = await _on_any_shard(env, match.group(1))
        await getattr(instance, match.group(2))()
        return json_response({"id": match.group(1), "done": match.group(2)})
    if match := _UNCHECKED_UPLOAD.fullmatch(path):
        # Code stored without the load probe, as an older dispatcher would have stored it.
        tenant, store = check_tenant_id(match.group(1)), TenantStore(env.TENANT_CODE)
        code = parse_upload(await read_json(request))
        current = await store.current(tenant)
        uid, shard = (new_uid(), SHARDS[0]) if current is None else (current.uid, current.shard)
        seen = None if current is None else current.uid
        stored = await store.publish(tenant, code, uid, shard, seen_uid=seen)
        return json_response({"tenant": tenant, "version": stored.version}, 201)
    if match := _RESERVE_ONLY.fullmatch(path):
        # A create whose dispatcher stopped between the index's reservation and the engine.
        return await _reserve_only(env, check_tenant_id(match.group(1)), match.group(2))
    if match := _WORKER_CODE.fullmatch(path):
        # The WorkerCode the dispatcher loads for a tenant: what Cloudflare enforces on it.
        return await _worker_code(TenantStore(env.TENANT_CODE), check_tenant_id(match.group(1)))
    if path == "/admin/debug/details":
        # The private details the library relies on, and what each did in this isolate.
        return json_response({"details": private_details()})
    if match := _FALLBACK.fullmatch(path):
        # Make a private detail's guard fall back as if the detail were gone ("reason"), or
        # take it again (null): each runs the guard's real fallback.
        return await _force(match.group(1), (await read_json(request)).get("reason"))
    if path == "/admin/debug/raise":
        # An unexpected failure inside a handler, for the catch-all's test.
        raise RuntimeError("raised on purpose by /admin/debug/raise")
    if path == "/admin/debug/wrap":
        body = await read_json(request)
        metadata = body["metadata"]
        if body.get("addDate"):
            metadata["createdAt"] = datetime.datetime.now(datetime.UTC)
        try:
            wrap_workflow_binding(metadata)
        except DynamicWorkflowsError as exc:
            return error_response(400, f"{type(exc).__name__}: {exc}")
        return json_response({"wrapped": True})
    return error_response(404, "unknown debug route")


async def _force(detail: str, reason: str | None) -> Any:
    if detail == routing.DETAIL:
        routing.force_fallback(reason)
        await routing.load()  # imports the module again when taken back
    else:
        try:
            force_fallback(detail, reason)
        except KeyError:
            return error_response(404, f"no private detail {detail!r} to force")
        if detail == tail.SURFACE_DETAIL:
            await tail.call_empty()  # workerd makes an entrypoint: it records the detail
    return json_response({"details": private_details()})


async def _index_logs(env: Any, request: Any, uid: str) -> Any:
    stub = index_of(env, uid)
    if request.method == "POST":
        await stub.append_logs(to_js(await read_json(request)))
    return json_response(to_py(await stub.logs(to_js({"limit": 1})))["stats"])


async def _reserve_only(env: Any, tenant: str, instance_id: str) -> Any:
    current = await TenantStore(env.TENANT_CODE).current(tenant)
    if current is None:
        return error_response(404, f"unknown tenant {tenant!r}")
    engine_id = TenantScope.for_value(current.uid).scope(instance_id)
    item = {"tenant": tenant, "version": current.version, "items": [[engine_id, instance_id]]}
    return json_response(to_py(await index_of(env, current.uid).reserve(to_js(item))))


async def _worker_code(store: TenantStore, tenant: str) -> Any:
    current = await store.current(tenant)
    stored = None if current is None else await store.load(tenant, current.version)
    if current is None or stored is None:
        return error_response(404, f"unknown tenant {tenant!r}")
    built = worker_code(tenant, current.uid, current.version, stored, current.shard)
    return json_response(
        {
            "limits": to_py(built.limits),
            "globalOutboundIsNull": built.globalOutbound is jsnull,
            "mainModule": str(built.mainModule),
        }
    )


async def _on_any_shard(env: Any, engine_id: str) -> Any:
    """The engine instance of that id on whichever shard has it."""
    for shard in SHARDS[:-1]:
        try:
            return await getattr(env, shard).get(engine_id)
        except JsException:
            continue
    return await getattr(env, SHARDS[-1]).get(engine_id)
