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
import math
from collections.abc import Mapping
from typing import Any

from js import JSON, Array, Object, Reflect, structuredClone
from pyodide.ffi import JsException, jsnull  # type: ignore[attr-defined]

from ..core import InvalidParamsError
from ..core.validation import (
    MAX_PAYLOAD_BYTES,
    MAX_SAFE_INTEGER,
    check_params,
    params_over_limit,
)
from . import native
from .convert import is_js, is_null, to_js


def options_of(options: Any) -> tuple[Any, int | None]:
    """A create's options one level deep, with JS params, and the params' JSON size.

    Over RPC the runtime has already turned the arguments into Python (the SDK's
    ``python_from_rpc``); the params then go back to JS once, here, and are
    measured natively: the engine needs them as JS anyway.
    """
    if is_null(options):
        return None, None
    if is_js(options) and options.typeof == "object" and _is_plain(options):
        options = options.to_py(depth=1)
    if not isinstance(options, Mapping):
        return options, None
    params = options.get("params")
    if is_js(params):
        return options, params_size(params)
    js_params, size = params_to_js(params)
    return {**options, "params": js_params}, size


def batch_of(batch: Any) -> tuple[Any, list[int | None] | None]:
    """A createBatch's items one level deep, and each item's params size."""
    if is_js(batch) and Array.isArray(batch):
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
    """The JSON size of params; InvalidParamsError for what the engine cannot store as sent."""
    if is_null(params):
        return 4
    if not is_js(params):
        return check_params(params, limit=1 << 62)
    inspector = native.module()
    if inspector is not None:
        result = inspector.inspectParams(params)
        if not result.ok:
            raise _not_stored_as_sent(str(result.path), str(result.what))
        return int(result.size)
    try:
        structuredClone(params)  # first: it refuses functions, which JSON.stringify would call
    except JsException:
        raise _refusal(params) from None
    data = params.to_py(default_converter=_as_stored)  # an object shared stays one object
    bound = _json_bound(data)
    if bound == "cycle":
        raise _refusal(params)
    if bound == "over":
        raise params_over_limit(MAX_PAYLOAD_BYTES)
    try:
        text = JSON.stringify(params)
    except JsException:
        raise _refusal(params) from None
    if not isinstance(text, str):  # a bare function or undefined
        raise InvalidParamsError("params are not data: pass an object, list or scalar.")
    # JSON.stringify drops or rewrites what JSON has no form for (NaN, undefined, Map, Set,
    # RegExp, typed arrays, errors). When what it wrote reads back as the data that was sent
    # (compared natively), nothing was; otherwise the walk decides (dates are data, too).
    if json.loads(text) != data and _first_non_data(params):
        raise _refusal(params)
    return _utf8_length(text)


def _json_bound(data: Any) -> str | None:
    """``over`` when the JSON of ``data`` certainly passes the engine's limit, ``cycle`` for
    a cycle, else None.

    JSON writes an object out every time it is referenced: thirty nested pairs of one
    object are a small RPC message and 2**30 copies. This counts what the JSON takes at
    least, shared objects each time, and stops past the limit.
    """
    size, active = 0, set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        value, leaving = stack.pop()
        if leaving:
            active.discard(id(value))
            continue
        if isinstance(value, dict | list):
            if id(value) in active:
                return "cycle"
            active.add(id(value))
            stack.append((value, True))
            items = list(value.values()) if isinstance(value, dict) else value
            size += 2 + (sum(len(key) + 3 for key in value) if isinstance(value, dict) else 0)
            stack.extend((item, False) for item in items)
        else:
            size += len(value) + 2 if isinstance(value, str) else 1
        if size > MAX_PAYLOAD_BYTES:
            return "over"
    return None


def _as_stored(value: Any, _convert: Any, _cache: Any) -> Any:
    """Dates are stored as dates; any other object to_py cannot convert never compares equal."""
    if getattr(value, "constructor", None) is not None and value.constructor.name == "Date":
        return value.toJSON()
    return _NOT_DATA


_NOT_DATA = object()


def _refusal(params: Any) -> InvalidParamsError:
    """Name the first value in ``params`` that the engine would not store as sent."""
    found = _first_non_data(params)
    if found is None:  # not expected: the native checks found something the walk did not
        return InvalidParamsError("params cannot be stored as sent; pass plain data only.")
    return _not_stored_as_sent(*found)


def _not_stored_as_sent(path: str, what: str) -> InvalidParamsError:
    return InvalidParamsError(
        f"{path} is {what}, which the engine would not store as sent. Params must be plain "
        "data: objects, arrays, strings, finite numbers, booleans, null and dates."
    )


def _first_non_data(params: Any) -> tuple[str, str] | None:
    """Depth-first, in key order: the path of the first value that is not data, and what it is."""
    stack: list[tuple[Any, str, frozenset[int]]] = [(params, "params", frozenset())]
    while stack:
        value, path, ancestors = stack.pop()
        what = _not_data(value)
        if what is not None:
            return path, what
        if not is_js(value):
            continue
        node: Any = value
        if node.constructor.name == "Date":
            continue
        if node.js_id in ancestors:
            return path, "a reference back to an enclosing value (a cycle)"
        inner = ancestors | {node.js_id}
        if Array.isArray(node):
            children = [
                (Reflect.get(node, i), f"{path}[{i}]", node.slice(i, i + 1))
                for i in range(node.length)
            ]
        else:
            keys = Object.keys(node)
            children = [(Reflect.get(node, k), f"{path}.{k}", (node, [k])) for k in keys]
        for child, child_path, alone in children:
            # Pyodide hands a BigInt over as an int: JSON.stringify of it alone tells.
            if isinstance(child, int) and not isinstance(child, bool) and _throws(alone):
                return child_path, "a BigInt"
        stack.extend((child, child_path, inner) for child, child_path, _ in reversed(children))
    return None


def _throws(alone: Any) -> bool:
    """Whether JSON.stringify fails on a one-element slice, or on one key of an object."""
    try:
        if isinstance(alone, tuple):
            JSON.stringify(alone[0], to_js(alone[1]))
        else:
            JSON.stringify(alone)
    except JsException:
        return True
    return False


def _not_data(value: Any) -> str | None:
    """What ``value`` is, if the engine would not store it as sent; None for data."""
    if value is None:
        return "undefined"
    if isinstance(value, bool | str) or value is jsnull:
        return None
    if isinstance(value, int):
        return None if abs(value) <= MAX_SAFE_INTEGER else "a BigInt"
    if isinstance(value, float):
        return (
            None
            if math.isfinite(value)
            else f"{value!r}".replace("inf", "Infinity").replace("nan", "NaN")
        )
    if not is_js(value):
        return f"a {type(value).__name__}"
    kind = value.typeof
    if kind == "bigint":
        return "a BigInt"
    if kind in ("function", "symbol"):
        return f"a {kind}"
    constructor = getattr(value, "constructor", None)
    name = "null-prototype object" if constructor is None else str(constructor.name)
    if name in ("Object", "Array", "Date", "null-prototype object"):
        return None
    return f"{'an' if name[:1] in 'AEIO' else 'a'} {name}"


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _reason(exc: JsException) -> str:
    message = str(getattr(exc, "message", exc))
    return message.split("\n", 1)[0][:160]
