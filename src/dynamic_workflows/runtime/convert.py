"""Conversions between Python data and JavaScript values, and nothing else.

``pyodide.ffi.to_js`` turns ``None`` inside a dict into ``undefined`` (the key
then vanishes from JSON) and a ``datetime`` into an opaque proxy; these
helpers keep ``null`` as ``null`` and dates as ``Date``, so values cross RPC as
a JavaScript caller would expect. JavaScript values already on the JS side
(``JsProxy``) pass through untouched, so nothing is copied twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cache
from typing import Any

from js import Date, Object
from pyodide.ffi import JsProxy, create_proxy, jsnull  # type: ignore[attr-defined]
from pyodide.ffi import to_js as _to_js


def is_js(value: Any) -> bool:
    """``isinstance(value, JsProxy)``, fast: Pyodide's check goes through a metaclass (about
    5 µs a call); the JsProxy classes seen are remembered (there are a few dozen)."""
    kind = type(value)
    if kind in _JS_TYPES:
        return True
    if kind in _PY_TYPES:
        return False
    if isinstance(value, JsProxy):
        _JS_TYPES.add(kind)
        return True
    _PY_TYPES.add(kind)
    return False


_JS_TYPES: set[type] = set()
_PY_TYPES: set[type] = set()


def to_js(value: Any) -> Any:
    """Python data (dict, list, None, datetime, scalars, JsProxy) to a JS value."""
    if is_js(value):
        return value
    return _to_js(
        _swap_nulls(value, None, jsnull),
        dict_converter=Object.fromEntries,
        default_converter=_to_js_default,
        create_pyproxies=False,
    )


def to_py(value: Any) -> Any:
    """A JS value to Python data: objects to dicts, ``null`` to None, Date to datetime."""
    if not is_js(value):
        return None if value is jsnull else value
    return _swap_nulls(value.to_py(default_converter=_to_py_default), jsnull, None)


def is_null(value: Any) -> bool:
    """True for a JS ``null`` or ``undefined`` as Pyodide hands it over."""
    return value is None or value is jsnull


@cache
def js_function(function: Callable[..., Any]) -> Any:
    """A module's ``function`` as a JavaScript function, made once per isolate (JavaScript
    calls it back on every create or run; a proxy made per call would have to be destroyed)."""
    return create_proxy(function)


def _swap_nulls(value: Any, null: Any, replacement: Any) -> Any:
    """``value`` with ``null`` (None, or JavaScript's) replaced, in dicts and lists too."""
    if value is null:
        return replacement
    if isinstance(value, dict):
        return {key: _swap_nulls(item, null, replacement) for key, item in value.items()}
    if isinstance(value, list):
        return [_swap_nulls(item, null, replacement) for item in value]
    return value


def _to_js_default(value: Any, _convert: Any, _cache: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return Date.new(value.timestamp() * 1000)
    raise TypeError(f"{type(value).__name__} cannot be sent to JavaScript")


def _to_py_default(value: Any, _convert: Any, _cache: Any) -> Any:
    if getattr(value, "constructor", None) is not None and value.constructor.name == "Date":
        return datetime.datetime.fromtimestamp(value.getTime() / 1000, datetime.UTC).replace(
            tzinfo=None
        )
    return value
