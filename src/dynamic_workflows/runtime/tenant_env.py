"""Inside a Python tenant: ``self.env.WORKFLOWS`` is a Workflow binding to the SDK too.

The wrapped binding reaches a tenant as a service stub (a ``Fetcher``), and the
SDK's env wrapper (``workers.rpc._EnvWrapper``) would give it its generic
wrapper, which leaves handles half-converted, where a real Workflow binding gets
a Workflow wrapper: the same tenant code would behave differently on the
platform. ``install(names)`` has the env wrapper hand out the library's
``tenant.Workflows`` for the entries in ``names``: the SDK's Workflow binding
calls, params checked before conversion, the library's error classes.
``load_tenant_worker`` runs it at the tenant's start-up through a ``.pth`` file
in its ``python_modules`` (the mechanism the SDK uses for its own patches).
It touches the SDK's private ``_EnvWrapper._getattr_helper`` only when it is
there; otherwise the tenant keeps the generic wrapper, and the registry
(``core.details``, ``sdk-env-hook``) says why, in the tenant and, for the SDK it
ships to its tenants, in the dispatcher (``check``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from ..core import details

#: The SDK module holding the env wrapper.
SDK_RPC = "workers.rpc"
DETAIL = "sdk-env-hook"
_MARK = "__dynamic_workflows_bindings__"
_names: set[str] = set()


def install(names: Iterable[str]) -> None:
    """Wrap the env entries ``names`` as Workflow bindings, now or when the SDK loads."""
    _names.update(names)
    module = sys.modules.get(SDK_RPC)
    if module is not None:
        patch(module)
    elif not any(isinstance(finder, _PatchOnLoad) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnLoad())


def check(rpc: ModuleType) -> str | None:
    """What ``rpc`` (the SDK's module) lacks for the hook, recorded; None when it has it all."""
    helper = getattr(getattr(rpc, "_EnvWrapper", None), "_getattr_helper", None)
    reason = None if callable(helper) else "the SDK's workers.rpc lacks _EnvWrapper._getattr_helper"
    if reason is not None:  # the log line goes to the worker's log, as errors.py sets it
        from js import console  # noqa: PLC0415 - this module is imported before js is needed

        details.warn[0] = console.warn
    details.record_detail(DETAIL, reason is None, reason)
    return reason


def patch(rpc: ModuleType) -> bool:
    """Patch the SDK's env wrapper in ``rpc``; False when the SDK lacks what it needs."""
    env_wrapper: Any = getattr(rpc, "_EnvWrapper", None)
    if getattr(env_wrapper, _MARK, False):
        return True
    if check(rpc) is not None:
        return False
    original = env_wrapper._getattr_helper

    def _getattr_helper(self: Any, name: str) -> Any:
        if name in _names:
            binding = getattr(self._env, name)
            if _is_service_stub(binding):
                from ..tenant import Workflows  # noqa: PLC0415 - once the SDK is loaded

                return Workflows(binding)
        return original(self, name)

    env_wrapper._getattr_helper = _getattr_helper
    setattr(env_wrapper, _MARK, True)
    return True


def _is_service_stub(value: Any) -> bool:
    constructor = getattr(value, "constructor", None)
    return getattr(constructor, "name", None) == "Fetcher"


class _PatchOnLoad(MetaPathFinder):
    """Patches ``workers.rpc`` right after it is executed, wherever it is found."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != SDK_RPC:
            return None
        sys.meta_path.remove(self)
        spec = find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _PatchingLoader(spec.loader)
        return spec


class _PatchingLoader(Loader):
    def __init__(self, loader: Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        patch(module)
