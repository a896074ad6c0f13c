"""The object workerd calls RPC methods on: exactly the methods it was given.

workerd builds a Python instance of an entrypoint class for every RPC call and
resolves the method by ``getattr`` on it, whatever the name: on an ordinary
instance ``__getattribute__``, ``__setattr__``, ``__init__`` and ``_private``
helpers are all callable by whoever holds a stub, and let a caller replace
``ctx`` (and with it the tenant). An ``RpcSurface`` keeps no attributes of its
own and answers every name from one table, so a name outside the table cannot
reach anything, whatever the next SDK release adds to its base classes.

That workerd calls methods on the object an entrypoint's ``__new__`` returns is
itself a private detail (``entrypoint-surface``): ``entrypoint_surface`` is what
``__new__`` returns, the surface records the detail in use when workerd first
calls a method on it, and ``surface_ignored`` (from ``__init__``, which Python
runs only on an instance of the class itself) records and logs the fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NoReturn

from js import TypeError as JsTypeError

from ..core.details import record_detail
from .errors import Rejection

DETAIL = "entrypoint-surface"
#: ``seen``: None until workerd first makes an entrypoint here, then whether it took the
#: surface; a fallback stays recorded (one class made without it is enough to say so).
_state: dict[str, Any] = {"seen": None, "forced": None}


class RpcSurface:
    """Answers the names in ``methods``; any other name is a method that does not exist."""

    __slots__ = ("_methods",)

    def __init__(self, methods: Mapping[str, Callable[..., Any]]) -> None:
        object.__setattr__(self, "_methods", MappingProxyType(dict(methods)))

    def __getattribute__(self, name: str) -> Any:
        method = object.__getattribute__(self, "_methods").get(name)
        if method is not None:
            if _state["seen"] is None:
                _state["seen"] = True
                record_detail(DETAIL, True)
            return method
        if name == "then":
            # The runtime awaits the new instance: it must not look like a promise.
            raise AttributeError(name)
        return _missing(name)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(name)

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(name)


def _missing(name: str) -> Callable[..., Any]:
    """A method that fails as workerd's own "does not exist" does: a JS TypeError, no traceback."""

    def missing(*_args: object, **_kwargs: object) -> Any:
        return Rejection(JsTypeError.new(f"Method {name[:100]} does not exist"))

    return missing


def entrypoint_surface(cls: type, methods: Mapping[str, Callable[..., Any]]) -> Any:
    """What an entrypoint's ``__new__`` returns: an ``RpcSurface`` of ``methods``.

    With the fallback forced (tests), an ordinary instance of ``cls``, as if workerd
    made the instance itself: Python then runs ``cls.__init__``.
    """
    if _state["forced"] is not None:
        return object.__new__(cls)
    return RpcSurface(methods)


def surface_ignored(entrypoint: object) -> None:
    """Call from an entrypoint's ``__init__``: it runs only on an instance workerd made
    without the surface, whose methods are the class's own. Recorded, logged once."""
    _state["seen"] = False
    name = type(entrypoint).__name__
    reason = _state["forced"] or f"workerd made a {name} itself: its __new__'s surface is unused"
    record_detail(DETAIL, False, reason)


def force_fallback(reason: str | None) -> None:
    """Tests only: make instances of the classes (``reason``), or surfaces again (None)."""
    _state["forced"], _state["seen"] = reason, None
