"""Checking JavaScript params natively, without converting them to Python.

Walking a 1 MiB params object in Python costs about a hundred milliseconds per
pass in Pyodide; V8 does the same work in a few. So params that arrive as a
JavaScript value are checked by two native passes and never copied into Python:
``JSON.stringify`` (their size, and cycles or BigInts, which the engine cannot
store) and ``structuredClone`` (functions, RPC stubs, symbols, which would leave
the instance stuck in ``queued``). The engine gets the very same JS value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from js import JSON, Array, structuredClone
from pyodide.ffi import JsException, JsProxy

from ..core import InvalidParamsError
from ..core.validation import check_params
from .convert import is_null, to_js


def options_of(options: Any) -> Any:
    """A create's options one level deep: a dict whose ``params`` is a JS value.

    Over RPC the runtime has already turned the arguments into Python (the SDK's
    ``python_from_rpc``); the params then go back to JS once, here, and are
    measured natively: the engine needs them as JS anyway.
    """
    if is_null(options):
        return None
    if isinstance(options, JsProxy) and options.typeof == "object" and _is_plain(options):
        return options.to_py(depth=1)
    if isinstance(options, Mapping) and not isinstance(options.get("params"), JsProxy):
        return {**options, "params": to_js(options.get("params"))}
    return options


def batch_of(batch: Any) -> tuple[Any, list[int | None] | None]:
    """A createBatch's items one level deep, and each item's params size."""
    if isinstance(batch, JsProxy) and Array.isArray(batch):
        batch = batch.to_py(depth=1)
    if not isinstance(batch, list):
        return (None if is_null(batch) else batch), None
    items = [options_of(item) for item in batch]
    sizes = [params_size(i.get("params")) if isinstance(i, dict) else None for i in items]
    return items, sizes


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
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _reason(exc: JsException) -> str:
    message = str(getattr(exc, "message", exc))
    return message.split("\n", 1)[0][:160]
