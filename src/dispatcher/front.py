"""The dispatcher's HTTP entrypoint: ``/admin/...`` to the admin API, ``/t/<tenant>/...`` to
the tenant."""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any, cast

from js import URL, WritableStream
from pyodide.ffi import JsException
from workers import Request, WorkerEntrypoint

from dynamic_workflows import RpcSurface, development_runtime, is_null, raw_rpc_arguments

from .admin import serve_admin
from .cursor import CursorError
from .env import raw_env
from .http import RequestError, admin_host_allowed, tenant_host_allowed
from .logs import LogQueryError
from .quota import QuotaError
from .respond import error_response, internal_error
from .store import PublishConflictError
from .traffic import serve_tenant
from .uploads import UploadError

_TENANT_ROUTE = re.compile(r"/t/([^/]+)(/.*)?")
NOT_FOUND = "not found: use /t/<tenant>/... or /admin/..."
NOT_ON_ADMIN_HOST = "tenant traffic is not served on the admin hostname: use the tenants' hostname"


class Default(WorkerEntrypoint):
    """The dispatcher's HTTP entrypoint.

    Like the wrapped binding, workerd gets an ``RpcSurface`` whose only method is
    ``fetch``: calls on it take the library's raw-argument path (the request as
    the JavaScript object it is, the response handed back as one), past the
    SDK's per-call conversions and instance set-up.
    """

    def __new__(cls, ctx: Any, env: Any = None) -> Default:
        raw_rpc_arguments()
        return cast(Default, _SURFACE)

    async def fetch(self, request: Any) -> Any:
        try:
            env = raw_env()
            url = URL.new(request.url)
            path = url.pathname
            admin_hostname = str(getattr(env, "ADMIN_HOSTNAME", "") or "")
            if path.startswith("/admin/"):
                if not admin_host_allowed(admin_hostname, str(url.hostname)):
                    await _discard_unread(request)
                    return error_response(404, NOT_FOUND)  # as if there were no admin API
                try:
                    return await serve_admin(env, request, path)
                finally:
                    await _discard_unread(request)
            match = _TENANT_ROUTE.fullmatch(path)
            if match and tenant_host_allowed(admin_hostname, str(url.hostname)):
                return await serve_tenant(env, request, match.group(1), match.group(2) or "/")
            await _discard_unread(request)
            return error_response(404, NOT_ON_ADMIN_HOST if match else NOT_FOUND)
        except RequestError as exc:
            return error_response(exc.status, str(exc))
        except (UploadError, QuotaError, CursorError, LogQueryError) as exc:
            return error_response(400, str(exc))
        except PublishConflictError as exc:
            return error_response(409, str(exc))
        except Exception:
            # Nothing raises past the handler: the caller gets an id, the log the traceback.
            return internal_error("internal error")


#: Reading a body the admin API answered without (``_discard_unread``, local runs only): it
#: stops when no bytes came for IDLE_MS (a client that waits for the answer before sending,
#: as with ``Expect: 100-continue``) or after TOTAL_MS in all.
DISCARD_IDLE_MS = 1_000
DISCARD_TOTAL_MS = 30_000


async def _discard_unread(request: Any) -> None:
    """On the local runtime, read and throw away what is left of a body the admin API
    answered without reading (a 413, a 401, a 404), before the answer goes out.

    wrangler dev's proxy (miniflare) fails the whole exchange when a Python worker answers
    before the request body has been read: the client saw its connection drop mid-answer,
    or a 500 from the proxy, instead of the 413 (6 of 8 bodies of 17-64 MiB here; a
    one-line Python worker does the same; a JavaScript worker does not). Cloudflare's edge
    needs no such reading, and a deployed dispatcher does none: it would only give any
    caller, unauthenticated ones included, a way to hold a request of it open.
    """
    body = request.js_object.body
    if body is None or is_null(body) or request.js_object.bodyUsed:
        return
    if not development_runtime():
        return
    reader = body.getReader()
    # Nothing within the idle time (the client waits for the answer), or the client went
    # away: stop. Else the rest goes through workerd's own pipe, no Python turn per chunk.
    with contextlib.suppress(JsException, TimeoutError):
        first = await asyncio.wait_for(reader.read(), DISCARD_IDLE_MS / 1000)
        if first.done:
            return
        reader.releaseLock()
        await asyncio.wait_for(body.pipeTo(WritableStream.new()), DISCARD_TOTAL_MS / 1000)


async def _raw_fetch(js_request: Any, *_: Any) -> Any:
    """``Default.fetch`` on the JavaScript request, answering with a JavaScript response.

    (Should the raw path not install, workerd converts the request to the SDK's
    ``Request`` first and takes the response as it is: both work.)
    """
    request = js_request if isinstance(js_request, Request) else Request(js_request)
    response = await Default.fetch(_HANDLER, request)
    return getattr(response, "js_object", response)


#: One handler object serves every request (it keeps no state); workerd sees only _SURFACE.
_HANDLER = object.__new__(Default)
_SURFACE = RpcSurface({"fetch": _raw_fetch})
