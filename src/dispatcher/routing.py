"""The dispatcher's hot paths through ``routing.mjs`` where the bundle carries it.

A Python ``await`` on a JavaScript promise costs a turn of the isolate; a
tenant request and a run each read the tenant's pointer from R2 (two promises:
the object, then its text) and a request awaited the tenant's answer before
handing it back. ``routing.mjs`` makes the read one promise and hands the
tenant's answer to workerd without resuming Python. Without the module (a
bundle without the ``.mjs`` rule) the same work is done from Python; the
private-details registry says which (``DETAIL``, served by ``GET /admin/status``),
and the first fallback logs one JSON line.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from js import Headers, Object
from js import Request as JsRequest
from js import Response as JsResponse
from pyodide.ffi import create_proxy
from workers import import_from_javascript

from dynamic_workflows import is_null, record_detail, to_js

MODULE_NAME = "dispatcher/routing.mjs"
#: The dispatcher's own private detail, in the library's registry.
DETAIL = "dispatcher-routing-module"
WHAT = (
    "dispatcher/routing.mjs is an ES module of the bundle (wrangler.jsonc's ESModule rule), "
    "imported with the SDK's import_from_javascript; it reads R2 in one promise and hands "
    "the tenant's answer to workerd without resuming Python"
)
FALLBACK = "the same reads and forwarding from Python: one more turn of the isolate each"
_state: dict[str, Any] = {"module": None, "tried": False}


async def load() -> Any:
    """``routing.mjs``, imported once per isolate; None when the bundle lacks it."""
    if not _state["tried"]:
        _state["tried"] = True
        why = None
        try:
            _state["module"] = import_from_javascript(MODULE_NAME)
        except ImportError as exc:
            why = str(exc)
        record_detail(DETAIL, why is None, why, what=WHAT, fallback=FALLBACK)
    return _state["module"]


def force_fallback(reason: str | None) -> None:
    """Test-only: route from Python as if the module were gone (``reason``), or reload it
    at the next request (None)."""
    _state["module"], _state["tried"] = None, reason is not None
    if reason is not None:
        record_detail(DETAIL, False, reason, what=WHAT, fallback=FALLBACK)


def installed() -> bool:
    return _state["module"] is not None


async def read_text(bucket: Any, key: str) -> str | None:
    """The text of the R2 object ``key``, None when there is none."""
    module = await load()
    if module is not None:
        text = await module.readText(bucket, key)
        return None if is_null(text) else str(text)
    obj = await bucket.get(key)
    return None if is_null(obj) else str(await obj.text())


async def forward(
    worker: Any,
    url: str,
    request: Any,
    drop: frozenset[str],
    drop_answer: frozenset[str],
    failed: Callable[[str, str], Any],
    context: str,
) -> Any:
    """The tenant's response to ``request`` (a JS Request) sent to ``url`` without the
    headers ``drop``, answered without the headers ``drop_answer``; ``failed(context,
    detail)`` (a JS Response) when its fetch throws."""
    module = await load()
    if module is not None:
        answer = Object.new()  # not yet a thenable: see dynamic_workflows' library.mjs, adopt
        module.forwardInto(
            answer, worker, url, request, _drop(drop), _drop(drop_answer), _failed(failed), context
        )
        return answer
    forwarded = JsRequest.new(url, request)
    for name in drop:  # Headers.delete ignores case
        forwarded.headers.delete(name)
    try:
        response = await worker.getEntrypoint().fetch(forwarded)
    except Exception as exc:
        return failed(context, str(exc))
    if not any(response.headers.has(name) for name in drop_answer):
        return response
    headers = Headers.new(response.headers)
    for name in drop_answer:
        headers.delete(name)
    socket = response.webSocket
    init = {"status": response.status, "statusText": response.statusText, "headers": headers}
    init |= {"webSocket": socket} if socket else {}
    body = None if socket else response.body
    return JsResponse.new(body, to_js(init))


@cache
def _drop(names: frozenset[str]) -> Any:
    return to_js(sorted(names))


@cache
def _failed(failed: Callable[[str, str], Any]) -> Any:
    """``failed`` as a JavaScript function, made once per function."""
    return create_proxy(failed)
