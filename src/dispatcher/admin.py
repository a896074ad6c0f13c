"""The admin API: ``/admin/...`` with ``Authorization: Bearer <ADMIN_TOKEN>``.

This module checks the token and routes each request to its job: tenants' code, quotas and
lifecycle (``admin_tenants``), their instances (``admin_instances``), their logs
(``admin_logs``), what runs (``status``). The console's files answer without the token
(``console_assets``); the test-only ``/admin/debug/*`` routes (``debug``) and the local
engine's wake-up (``wake``) answer only where the dev tooling turned them on.
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from js import URL

from . import admin_instances, admin_logs, admin_tenants, debug, status, wake
from .console_assets import console_asset
from .http import RequestError, read_json
from .respond import error_response, json_response
from .store import TenantStore
from .uploads import check_tenant_id
from .wake import wake_stalled

_TENANT = re.compile(r"/admin/tenants/([^/]+)")
_INSTANCE = re.compile(r"/admin/tenants/([^/]+)/instances/([^/]+)")
_ACTION = re.compile(r"/admin/tenants/([^/]+)/instances/([^/]+)/([^/]+)")
_TERMINATE_UNFINISHED = re.compile(r"/admin/tenants/([^/]+)/terminate-unfinished")
_INSTANCES = re.compile(r"/admin/tenants/([^/]+)/instances/?")
_QUOTA = re.compile(r"/admin/tenants/([^/]+)/quota")
_CURRENT = re.compile(r"/admin/tenants/([^/]+)/current")
_TENANTS = re.compile(r"/admin/tenants/?")
_LOGS = re.compile(r"/admin/tenants/([^/]+)/logs")


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
        return await admin_instances.list_instances(
            env, store, tenant, URL.new(request.url).searchParams
        )
    if match := _ACTION.fullmatch(path):
        tenant, instance_id, action = check_tenant_id(match.group(1)), *match.group(2, 3)
        if action not in admin_instances.ACTIONS:
            return error_response(
                404, f"unknown action {action[:40]!r}: use one of {admin_instances.ACTIONS}"
            )
        if method != "POST":
            return error_response(405, f"use POST to {action} an instance")
        return await admin_instances.act(env, store, tenant, instance_id, action)
    if match := _INSTANCE.fullmatch(path):
        tenant, instance_id = check_tenant_id(match.group(1)), match.group(2)
        return await admin_instances.instance_status(env, store, tenant, instance_id)
    if match := _TERMINATE_UNFINISHED.fullmatch(path):
        tenant = check_tenant_id(match.group(1))
        if method != "POST":
            return error_response(405, "use POST to terminate a tenant's unfinished instances")
        return await admin_instances.terminate_all(env, store, tenant)
    if match := _LOGS.fullmatch(path):
        tenant = check_tenant_id(match.group(1))
        return await admin_logs.tenant_logs(env, store, tenant, URL.new(request.url).searchParams)
    if match := _QUOTA.fullmatch(path):
        tenant = check_tenant_id(match.group(1))
        if method not in ("GET", "PUT"):
            return error_response(405, "use GET or PUT")
        body = await read_json(request) if method == "PUT" else None
        return await admin_tenants.quota(env, store, tenant, body)
    if match := _CURRENT.fullmatch(path):
        if method != "PUT":
            return error_response(405, 'use PUT with {"version": "<an earlier version>"}')
        tenant = check_tenant_id(match.group(1))
        return await admin_tenants.roll_back(env, store, tenant, await read_json(request))
    if _TENANTS.fullmatch(path):
        if method != "GET":
            return error_response(405, "use GET")
        return await admin_tenants.list_tenants(env, store, URL.new(request.url).searchParams)
    if match := _TENANT.fullmatch(path):
        tenant = check_tenant_id(match.group(1))
        if method == "PUT":
            return await admin_tenants.publish(env, store, tenant, await read_json(request))
        if method == "GET":
            return await admin_tenants.tenant_entry(store, tenant)
        if method == "DELETE":
            return await admin_tenants.delete_tenant(env, store, tenant)
        return error_response(405, "use PUT, GET or DELETE")
    if path.startswith("/admin/debug/") and debug.enabled(env):
        return await debug.serve_debug(env, request, path)
    if path == "/admin/dev/wake" and wake.enabled(env):
        # The local engine's stalled instances, woken after a dev-server restart (wake.py).
        if method != "POST":
            return error_response(405, "use POST to wake stalled instances")
        return json_response((await wake_stalled(env, await _started_at(request))).to_json())
    return error_response(404, "unknown admin route")


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
