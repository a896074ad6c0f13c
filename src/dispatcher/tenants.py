"""Loading a tenant's code into a Worker Loader isolate.

The isolate id includes the code version, so new code gets a new isolate and
instances pinned to an old version keep running on it.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

from pyodide.ffi import create_once_callable

import dynamic_workflows
from dynamic_workflows import wrap_workflow_binding
from dynamic_workflows.runtime.convert import to_js

from .uploads import BINARY_TYPES, TenantCode

LIMITS = {"cpuMs": 5_000, "subRequests": 50}


def tenant_worker(env: Any, tenant: str, version: str, code: TenantCode, *, dev: bool) -> Any:
    """The tenant's dynamic worker (loaded once per version, then cached by workerd)."""

    def worker_code() -> Any:
        return to_js(_worker_code(tenant, version, code, dev=dev))

    return env.LOADER.get(f"{tenant}@{version}", create_once_callable(worker_code))


def _worker_code(tenant: str, version: str, code: TenantCode, *, dev: bool) -> dict[str, Any]:
    modules: dict[str, Any] = {name: _module(m) for name, m in code.modules.items()}
    flags = list(code.compatibility_flags)
    worker: dict[str, Any] = {
        "compatibilityDate": code.compatibility_date,
        "mainModule": code.main_module,
        "env": {"WORKFLOWS": wrap_workflow_binding({"tenantId": tenant, "codeVersion": version})},
        "globalOutbound": None,
        "limits": LIMITS,
    }
    if code.is_python:
        modules.update({name: {"py": source} for name, source in facade_modules().items()})
        flags.append("python_workers")
        if dev:
            # The offline runtime: workerd's development Pyodide bundle (tests only).
            flags.append("python_workers_development")
            worker["allowExperimental"] = True
    worker["modules"] = modules
    worker["compatibilityFlags"] = sorted(set(flags))
    return worker


def _module(module: dict[str, str]) -> dict[str, Any]:
    ((kind, value),) = module.items()
    # Binary modules are stored as base64; bytes cross to JavaScript as a Uint8Array.
    return {kind: base64.b64decode(value) if kind in BINARY_TYPES else value}


@cache
def facade_modules() -> dict[str, str]:
    """The library's sources, so Python tenants can ``from dynamic_workflows.tenant import ...``."""
    root = Path(dynamic_workflows.__file__).parent
    return {
        f"dynamic_workflows/{path.relative_to(root).as_posix()}": path.read_text()
        for path in sorted(root.rglob("*.py"))
    }
