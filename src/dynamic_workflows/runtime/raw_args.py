"""JavaScript arguments for RpcSurface methods, past workerd's conversion (a private detail).

workerd calls every Python RPC method except ``run`` through one function of its
introspection module, ``wrapper_func(relaxed, instance, name, *args)``, which turns
each argument into Python (``python_from_rpc``) and the result back. For the
binding that is wasted work (params go to the engine as JavaScript anyway) and it
loses what a tenant sent: a ``Map`` becomes a dict, ``5n`` an int, ``undefined``
None, so params that the engine would store differently could not be told apart.

``install()`` wraps that function, once per isolate, so that calls on an
``RpcSurface`` get their JavaScript arguments as they are and return their
JavaScript result as it is; every other call takes workerd's own path. The module
is found by what it holds, not by its (hashed) name; without it the binding works
on converted arguments, and the registry (``core.details``) says so.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from inspect import isawaitable
from types import ModuleType
from typing import Any

from ..core.details import record_detail
from .errors import Rejection, check_thenable
from .surface import RpcSurface

DETAIL = "raw-rpc-arguments"
_state: dict[str, Any] = {"original": None, "forced": None, "checked": False}


def install() -> bool:
    """Route calls on RpcSurface objects past workerd's argument conversion; idempotent.

    True when they get JavaScript arguments; the first call records which it is.
    """
    if _state["original"] is not None:
        return True
    if not _state["checked"]:
        _state["checked"] = True
        check_thenable()
    module = _introspection_module()
    if _state["forced"] is not None or module is None:
        reason = _state["forced"] or "workerd's introspection module has no wrapper_func"
        record_detail(DETAIL, False, reason)
        return False
    original: Callable[..., Any] = module.wrapper_func
    _state["original"] = original
    module.wrapper_func = _raw_for_surfaces(original)  # type: ignore[attr-defined]
    record_detail(DETAIL, True)
    return True


#: The public name (``dynamic_workflows.raw_rpc_arguments``): call it where workerd builds
#: the object an RPC method is called on (an entrypoint's ``__new__``).
raw_rpc_arguments = install


def force_fallback(reason: str | None) -> None:
    """Tests only: take workerd's own path (``reason``), or install again (None)."""
    module = _introspection_module()
    if reason is not None and module is not None and _state["original"] is not None:
        module.wrapper_func = _state["original"]  # type: ignore[attr-defined]
        _state["original"] = None
    _state["forced"] = reason
    install()


def _introspection_module() -> ModuleType | None:
    for module in list(sys.modules.values()):
        wrapper = getattr(module, "wrapper_func", None)
        if (
            getattr(module, "__name__", "").startswith("_cloudflare.")
            and callable(wrapper)
            and callable(getattr(module, "collect_entrypoint_classes", None))
        ):
            return module
    return None


def _raw_for_surfaces(original: Callable[..., Any]) -> Callable[..., Any]:
    async def wrapper_func(relaxed: Any, inst: Any, prop: str, *args: Any, **kwargs: Any) -> Any:
        if type(inst) is not RpcSurface:
            return await original(relaxed, inst, prop, *args, **kwargs)
        result = getattr(inst, prop)(*args)
        if isawaitable(result):
            result = await result
        return result.js_object if isinstance(result, Rejection) else result

    return wrapper_func
