"""JavaScript arguments for the binding's methods, without the runtime's conversion.

workerd calls every Python RPC method except ``run`` through one function of
its introspection module, ``wrapper_func(relaxed, instance, name, *args)``,
which turns each argument into Python (``python_from_rpc``) and the result
back. For the binding that is wasted work (params go to the engine as
JavaScript anyway) and it loses what a tenant sent: a ``Map`` becomes a dict,
``5n`` an int, ``undefined`` None, so params that the engine would store
differently could no longer be told apart and refused.

``install()`` wraps that function, once per isolate, so that calls on an
``RpcSurface`` get their JavaScript arguments as they are and return their
JavaScript result as it is; every other call takes workerd's own path. It is a
private detail of workerd: the module is found by what it holds, not by its
(hashed) name, and when it is not there the binding keeps working on the
converted arguments (``installed()`` says which; a runtime test asserts it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from inspect import isawaitable
from types import ModuleType
from typing import Any

from .errors import Rejection
from .surface import RpcSurface

_MARK = "__dynamic_workflows_raw__"
_state = {"installed": False}


def installed() -> bool:
    """True when RpcSurface methods receive JavaScript arguments unconverted."""
    return _state["installed"]


def install() -> bool:
    """Route calls on RpcSurface objects past workerd's argument conversion; idempotent."""
    if _state["installed"]:
        return True
    module = _introspection_module()
    if module is not None:
        module.wrapper_func = _raw_for_surfaces(module.wrapper_func)  # type: ignore[attr-defined]
        _state["installed"] = True
    return _state["installed"]


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
    if getattr(original, _MARK, False):
        return original

    async def wrapper_func(relaxed: Any, inst: Any, prop: str, *args: Any, **kwargs: Any) -> Any:
        if type(inst) is not RpcSurface:
            return await original(relaxed, inst, prop, *args, **kwargs)
        result = getattr(inst, prop)(*args)
        if isawaitable(result):
            result = await result
        return result.js_object if isinstance(result, Rejection) else result

    setattr(wrapper_func, _MARK, True)
    return wrapper_func
