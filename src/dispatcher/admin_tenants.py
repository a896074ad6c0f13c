"""The admin API's routes of tenants: upload (checked, proved to load, then stored), read,
list, roll back, quota, delete."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from pyodide.ffi import JsException

from dynamic_workflows import to_js, to_py

from .admin_instances import terminate_unfinished
from .admin_query import limit_param, param
from .config import IN_FLIGHT_CREATE_S, OPEN_SHARDS
from .http import RequestError
from .index_client import index_of
from .quota import Quota
from .respond import error_response, json_response
from .shards import place
from .store import Current, TenantStore, new_uid
from .tenants import probe
from .uploads import parse_upload

_VERSION = re.compile(r"[0-9a-f]{20}")

#: The most tenants one page of ``GET /admin/tenants`` lists (each is a pointer read and an
#: index call).
MAX_TENANTS = 100


async def publish(env: Any, store: TenantStore, tenant: str, body: Any) -> Any:
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


async def tenant_entry(store: TenantStore, tenant: str) -> Any:
    current = await store.known(tenant)
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


async def list_tenants(env: Any, store: TenantStore, query: Any) -> Any:
    """A page of tenants by name (``?limit=`` 1-100, 20; ``?cursor=`` from the last), each
    with its shard, current version, unfinished count and quota."""
    limit = limit_param(query.get("limit"), default=20, most=MAX_TENANTS)
    given = param(query, "cursor")
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


async def roll_back(env: Any, store: TenantStore, tenant: str, body: Any) -> Any:
    """Point the tenant's ``current`` at an earlier stored version (proved to load first).

    Its identity and shard stay; instances keep the version they were created with, and
    new ones (and the tenant's requests) get this one.
    """
    current = await store.known(tenant)
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


async def quota(env: Any, store: TenantStore, tenant: str, body: Any) -> Any:
    """GET: the tenant's quota and unfinished count; PUT: set the fields the body names."""
    current = await store.known(tenant)
    stub = index_of(env, current.uid)
    state = to_py(await stub.quota())
    if body is not None:
        quota = Quota.from_json(body, Quota(**state["quota"]))
        state = to_py(await stub.set_quota(to_js(quota.to_json())))
    return json_response({"tenant": tenant, **state})


async def delete_tenant(env: Any, store: TenantStore, tenant: str) -> Any:
    """Close the tenant's index, terminate every unfinished instance it holds, then remove
    its code; 404 for a tenant that does not exist (nothing was deleted)."""
    current = await store.known(tenant)
    stub = index_of(env, current.uid)
    await stub.close()  # no create is admitted from here on, through any isolate
    terminated = await terminate_unfinished(env, current, IN_FLIGHT_CREATE_S)
    await stub.clear()
    removed = await store.delete(tenant)
    return json_response(
        {"tenant": tenant, "deletedVersions": removed, "terminatedInstances": terminated}
    )
