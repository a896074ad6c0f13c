"""Tenant traffic: ``/t/<tenant>/<path>`` goes to the tenant's ``fetch`` as ``/<path>``."""

from __future__ import annotations

from typing import Any

from js import URL

from . import routing
from .http import CREDENTIAL_HEADERS, ORIGIN_WIDE_HEADERS
from .respond import error_response, internal_error
from .store import TenantStore
from .tenants import tenant_worker
from .uploads import TENANT_ID, UploadError


async def serve_tenant(env: Any, request: Any, tenant: str, rest: str) -> Any:
    """The tenant's answer to ``request``, its credentials headers dropped, and the answer's
    headers that act on the whole origin; 404 if unknown."""
    store = TenantStore(env.TENANT_CODE)
    current = await store.current(tenant) if TENANT_ID.fullmatch(tenant) else None
    try:
        code = None if current is None else await store.load(tenant, current.version)
    except UploadError:
        # Stored before a check it now fails (e.g. a flag taken off the allowlist).
        return internal_error(f"tenant {tenant!r} has code that must be uploaded again", 502)
    if current is None or code is None:
        return error_response(404, f"unknown tenant {tenant[:80]!r}")
    url = URL.new(request.url)
    url.pathname = rest
    worker = tenant_worker(env, tenant, current.uid, current.version, code, current.shard)
    return await routing.forward(
        worker,
        url.toString(),
        request.js_object,
        CREDENTIAL_HEADERS,
        ORIGIN_WIDE_HEADERS,
        _tenant_failed,
        tenant,
    )


def _tenant_failed(tenant: str, detail: str) -> Any:
    """The tenant's fetch threw, or its code did not load: say which tenant, not how."""
    return internal_error(f"tenant {tenant!r} failed to answer", 502, detail).js_object
