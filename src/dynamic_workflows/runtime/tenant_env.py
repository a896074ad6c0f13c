"""Inside a Python tenant: ``self.env.WORKFLOWS`` is a Workflow binding to the SDK too.

The wrapped binding reaches a tenant as a service stub (a ``Fetcher``), and
the SDK's env wrapper (``workers.rpc._EnvWrapper``) picks a Python wrapper by
the binding's JavaScript class: a ``WorkflowImpl`` gets the SDK's Workflow
wrapper (``create``/``create_batch``/``get`` returning instance wrappers
whose ``status()`` is a dict and that have ``send_event``), a ``Fetcher`` a
generic one that leaves handles half-converted. So the same tenant code would
behave differently on the platform and in a normal Worker.

``install(names)`` makes the SDK wrap the env entries in ``names`` with its
own Workflow wrapper, the class it uses for a real binding, so tenant code
written for a plain Workflow binding runs unchanged. ``load_tenant_worker``
runs it at the tenant's start-up through a ``.pth`` file in the tenant's
``python_modules`` (the mechanism the SDK uses for its own patches). It only
touches the SDK's private names when they are there; otherwise the tenant
keeps the SDK's generic wrapper (a runtime test asserts the Workflow one).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from importlib.util import find_spec
from types import ModuleType
from typing import Any

#: The SDK module holding the env wrapper and the Workflow wrapper.
SDK_RPC = "workers.rpc"
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


def installed() -> bool:
    """True when the loaded SDK wraps the named env entries as Workflow bindings."""
    module = sys.modules.get(SDK_RPC)
    env_wrapper = getattr(module, "_EnvWrapper", None)
    return bool(getattr(env_wrapper, _MARK, False))


def patch(rpc: ModuleType) -> bool:
    """Patch the SDK's env wrapper in ``rpc``; False when the SDK lacks what it needs."""
    env_wrapper: Any = getattr(rpc, "_EnvWrapper", None)
    workflow_wrapper: Any = getattr(rpc, "_WorkflowBindingWrapper", None)
    original = getattr(env_wrapper, "_getattr_helper", None)
    if env_wrapper is None or workflow_wrapper is None or original is None:
        return False
    if getattr(env_wrapper, _MARK, False):
        return True

    def _getattr_helper(self: Any, name: str) -> Any:
        if name in _names:
            binding = getattr(self._env, name)
            if _is_service_stub(binding):
                return workflow_wrapper(binding)
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
