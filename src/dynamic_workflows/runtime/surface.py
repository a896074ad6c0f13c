"""The object workerd calls RPC methods on: exactly the methods it was given.

workerd builds a Python instance of an entrypoint class for every RPC call and
resolves the method by ``getattr`` on it, whatever the name: on an ordinary
instance ``__getattribute__``, ``__setattr__``, ``__init__`` and ``_private``
helpers are all callable by whoever holds a stub, and let a caller replace
``ctx`` (and with it the tenant). An ``RpcSurface`` keeps no attributes of its
own and answers every name from one table, so a name outside the table cannot
reach anything, whatever the next SDK release adds to its base classes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NoReturn

from js import TypeError as JsTypeError

from .errors import Rejection


class RpcSurface:
    """Answers the names in ``methods``; any other name is a method that does not exist."""

    __slots__ = ("_methods",)

    def __init__(self, methods: Mapping[str, Callable[..., Any]]) -> None:
        object.__setattr__(self, "_methods", MappingProxyType(dict(methods)))

    def __getattribute__(self, name: str) -> Any:
        method = object.__getattribute__(self, "_methods").get(name)
        if method is not None:
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
