"""The dispatcher's HTTP surface: an admin API and tenant traffic.

* ``/admin/...`` needs ``Authorization: Bearer <ADMIN_TOKEN>``.
* ``/t/<tenant>/<path>`` goes to the tenant's ``fetch`` as ``/<path>``.
"""

from __future__ import annotations

import datetime
import hmac
import json
import re
from typing import Any

from js import URL, Date
from js import Request as JsRequest
from workers import Response, WorkerEntrypoint, import_from_javascript

from dynamic_workflows import (
    DynamicWorkflowsError,
    InstanceNotFoundError,
    create_dynamic_workflow_entrypoint,
    wrap_workflow_binding,
)
from dynamic_workflows.core import TenantScope
from dynamic_workflows.runtime.convert import to_js, to_py

from .store import TenantStore
from .tenants import tenant_worker
from .uploads import UploadError, check_tenant_id, parse_upload

_TENANT_ROUTE = re.compile(r"/t/([^/]+)(/.*)?")
_ADMIN_TENANT = re.compile(r"/admin/tenants/([^/]+)")
_ADMIN_INSTANCE = re.compile(r"/admin/tenants/([^/]+)/instances/([^/]+)")


def _env() -> Any:
    """The raw JavaScript env (bindings as the runtime gives them)."""
    return import_from_javascript("cloudflare:workers").env


def _dev_runtime(env: Any) -> bool:
    """Local runs on the offline development Pyodide bundle (never set when deployed)."""
    return str(getattr(env, "DW_DEV_RUNTIME", "")) == "1"


def _debug_routes(env: Any) -> bool:
    """The test-only /admin/debug/* routes (never set when deployed)."""
    return str(getattr(env, "DW_DEBUG_ROUTES", "")) == "1"


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, headers={"content-type": "application/json"})


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, status)


class Default(WorkerEntrypoint):
    async def fetch(self, request: Any) -> Any:
        env = _env()
        path = URL.new(request.url).pathname
        try:
            if path.startswith("/admin/"):
                return await self._admin(env, request, path)
            match = _TENANT_ROUTE.fullmatch(path)
            if match:
                return await self._tenant(env, request, match.group(1), match.group(2) or "/")
            return _error(404, "not found: use /t/<tenant>/... or /admin/...")
        except UploadError as exc:
            return _error(400, str(exc))

    async def _tenant(self, env: Any, request: Any, tenant: str, rest: str) -> Any:
        store = TenantStore(env.TENANT_CODE)
        version = await store.current_version(tenant)
        code = None if version is None else await store.load(tenant, version)
        if version is None or code is None:
            return _error(404, f"unknown tenant {tenant!r}")
        url = URL.new(request.url)
        url.pathname = rest
        forwarded = JsRequest.new(url.toString(), request.js_object)
        worker = tenant_worker(env, tenant, version, code, dev=_dev_runtime(env))
        return await worker.getEntrypoint().fetch(forwarded)

    async def _admin(self, env: Any, request: Any, path: str) -> Any:
        token = str(getattr(env, "ADMIN_TOKEN", "") or "")
        if not token:
            return _error(503, "ADMIN_TOKEN is not set: add it as a secret (.dev.vars locally).")
        given = request.headers.get("authorization") or ""
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return _error(401, "missing or wrong bearer token")
        store = TenantStore(env.TENANT_CODE)
        method = request.method
        if match := _ADMIN_INSTANCE.fullmatch(path):
            tenant, instance_id = check_tenant_id(match.group(1)), match.group(2)
            return await _instance_status(env, tenant, instance_id)
        if match := _ADMIN_TENANT.fullmatch(path):
            tenant = check_tenant_id(match.group(1))
            if method == "PUT":
                try:
                    body = json.loads(await request.text())
                except ValueError as exc:
                    raise UploadError(f"the body is not JSON: {exc}") from None
                version = await store.publish(tenant, parse_upload(body))
                return _json({"tenant": tenant, "version": version}, 201)
            if method == "GET":
                current = await store.current_version(tenant)
                if current is None:
                    return _error(404, f"unknown tenant {tenant!r}")
                versions = await store.versions(tenant)
                return _json({"tenant": tenant, "version": current, "versions": versions})
            if method == "DELETE":
                removed = await store.delete(tenant)
                return _json({"tenant": tenant, "deletedVersions": removed})
            return _error(405, "use PUT, GET or DELETE")
        if path.startswith("/admin/debug/") and _debug_routes(env):
            return await _debug(env, request, path)
        return _error(404, "unknown admin route")


async def _debug(env: Any, request: Any, path: str) -> Any:
    """Test-only routes that let the tests reach the library's edges."""
    if path == "/admin/debug/raw-create":
        # What an unwrapped create leads to: MissingDispatcherMetadataError in run().
        instance = await env.WORKFLOWS.create(to_js({"params": {"raw": True}}))
        return _json({"id": instance.id})
    if path == "/admin/debug/raw-creates":
        # The benchmarks' baseline: n creates on the unwrapped binding, timed in the worker
        # (Date.now advances across I/O), as bench/tenants time n wrapped creates.
        body = json.loads(await request.text())
        options = to_js({"params": body.get("params")})
        start = Date.now()
        for _ in range(body["n"]):
            await env.WORKFLOWS.create(options)
        return _json({"ms": Date.now() - start, "n": body["n"]})
    if path.startswith("/admin/debug/raw-status/"):
        instance = await env.WORKFLOWS.get(path.rsplit("/", 1)[1])
        return _json(to_py(await instance.status()))
    if path == "/admin/debug/wrap":
        body = json.loads(await request.text())
        metadata = body["metadata"]
        if body.get("addDate"):
            metadata["createdAt"] = datetime.datetime.now(datetime.UTC)
        try:
            wrap_workflow_binding(metadata)
        except DynamicWorkflowsError as exc:
            return _error(400, f"{type(exc).__name__}: {exc}")
        return _json({"wrapped": True})
    return _error(404, "unknown debug route")


async def _instance_status(env: Any, tenant: str, instance_id: str) -> Any:
    try:
        engine_id = TenantScope.for_value(tenant).scope(instance_id)
        instance = await env.WORKFLOWS.get(engine_id)
        status = to_py(await instance.status())
    except DynamicWorkflowsError as exc:
        return _error(400, str(exc))
    except Exception:
        return _error(404, str(InstanceNotFoundError(instance_id)))
    return _json({"tenant": tenant, "id": instance_id, **status})


async def _load_runner(metadata: dict[str, Any], env: Any, ctx: Any) -> Any:
    """The tenant's TenantWorkflow, at the code version the instance was created with."""
    raw = _env()
    tenant, version = metadata["tenantId"], metadata["codeVersion"]
    code = await TenantStore(raw.TENANT_CODE).load(tenant, version)
    if code is None:
        raise RuntimeError(f"code version {version} of tenant {tenant!r} is gone (tenant deleted?)")
    return tenant_worker(raw, tenant, version, code, dev=_dev_runtime(raw)).getEntrypoint(
        "TenantWorkflow"
    )


DynamicWorkflow = create_dynamic_workflow_entrypoint(_load_runner)
