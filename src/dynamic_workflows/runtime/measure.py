"""Params on their way to the engine: converted to JavaScript once, measured natively.

The runtime hands an RPC method its arguments already in Python; the engine
needs JavaScript. Walking a 1 MiB params tree in Python costs about a hundred
milliseconds per pass in Pyodide, so Python params cross back through the C
JSON encoder and ``JSON.parse`` (``params_to_js``), and params that are
JavaScript values are checked by two native passes (``params_size``):
``JSON.stringify`` (their size, and cycles or BigInts, which the engine cannot
store) and ``structuredClone`` (functions, RPC stubs, symbols, which would leave
the instance stuck in ``queued``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from js import JSON, Array, structuredClone
from pyodide.ffi import JsException, JsProxy

from ..core import InvalidParamsError
from ..core.validation import check_params
from .convert import is_null, to_js


def options_of(options: Any) -> tuple[Any, int | None]:
    """A create's options one level deep, with JS params, and the params' JSON size.

    Over RPC the runtime has already turned the arguments into Python (the SDK's
    ``python_from_rpc``); the params then go back to JS once, here, and are
    measured natively: the engine needs them as JS anyway.
    """
    if is_null(options):
        return None, None
    if isinstance(options, JsProxy) and options.typeof == "object" and _is_plain(options):
        options = options.to_py(depth=1)
    if not isinstance(options, Mapping):
        return options, None
    params = options.get("params")
    if isinstance(params, JsProxy):
        return options, params_size(params)
    js_params, size = params_to_js(params)
    return {**options, "params": js_params}, size


def batch_of(batch: Any) -> tuple[Any, list[int | None] | None]:
    """A createBatch's items one level deep, and each item's params size."""
    if isinstance(batch, JsProxy) and Array.isArray(batch):
        batch = batch.to_py(depth=1)
    if not isinstance(batch, list):
        return (None if is_null(batch) else batch), None
    measured = [options_of(item) for item in batch]
    return [item for item, _ in measured], [size for _, size in measured]


def params_to_js(params: Any) -> tuple[Any, int]:
    """Python params as the JS value the engine stores, converted once, and their JSON size.

    JSON data goes through the C JSON encoder and ``JSON.parse``, several times
    faster than walking the tree with ``to_js``. Unless ``JSON.stringify`` of the
    result reads back as the same data (an integer a JS number cannot hold would
    not), or when the params are not JSON data (a datetime), they take
    ``to_js`` instead, which keeps dates as dates, and are measured there.
    """
    if isinstance(params, dict | list):
        try:
            text = json.dumps(params, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
            value = JSON.parse(text)
        except (TypeError, ValueError, RecursionError, UnicodeError, JsException):
            pass
        else:
            stored = JSON.stringify(value)
            # Equal text, or (a float JS writes otherwise) equal data: nothing was lost.
            if stored == text or json.loads(stored) == params:
                return value, _utf8_length(stored)
    value = to_js(params)
    return value, params_size(value)


def _is_plain(value: Any) -> bool:
    return not Array.isArray(value)


def params_size(params: Any) -> int:
    """The JSON size of params; InvalidParamsError for what the engine cannot store."""
    if is_null(params):
        return 4
    if not isinstance(params, JsProxy):
        return check_params(params, limit=1 << 62)
    try:
        text = JSON.stringify(params)
    except JsException as exc:
        raise InvalidParamsError(
            f"params cannot be stored as JSON ({_reason(exc)}): a cycle or a BigInt? "
            "Params must be a tree of data."
        ) from None
    try:
        structuredClone(params)
    except JsException as exc:
        raise InvalidParamsError(
            f"params hold a value that cannot be persisted ({_reason(exc)}): functions, "
            "RPC stubs and symbols cannot be; pass data only."
        ) from None
    if not isinstance(text, str):  # a bare function or undefined
        raise InvalidParamsError("params are not data: pass an object, list or scalar.")
    return _utf8_length(text)


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _reason(exc: JsException) -> str:
    message = str(getattr(exc, "message", exc))
    return message.split("\n", 1)[0][:160]
