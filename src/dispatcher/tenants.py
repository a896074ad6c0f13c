"""Loading a tenant's code into a Worker Loader isolate.

The isolate id includes the code version, so new code gets a new isolate and
instances pinned to an old version keep running on it.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

import workers
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
        modules.update(library_modules())
        flags += ["python_workers", "enable_python_external_sdk"]
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
def library_modules() -> dict[str, dict[str, str]]:
    """The modules every Python tenant gets from the dispatcher, read from its own bundle.

    ``dynamic_workflows`` (so tenants can ``from dynamic_workflows.tenant import ...``)
    and the ``workers`` SDK the dispatcher vendors: without it a dynamic worker gets
    the runtime's older built-in SDK, whose ``run`` returns Python objects that
    cannot cross RPC. Tenants therefore run on the same SDK as the dispatcher.
    The SDK's one JavaScript module is invisible to Python, so the dispatcher
    carries a copy of it as text (``sdk_workflows.js.txt``, pinned by a test).
    """
    library = Path(dynamic_workflows.__file__).parent
    sdk = Path(workers.__file__).parent
    modules = {
        f"dynamic_workflows/{path.relative_to(library).as_posix()}": {"py": path.read_text()}
        for path in sorted(library.rglob("*.py"))
    }
    for path in sorted(sdk.rglob("*.py")):
        modules[f"python_modules/{path.relative_to(sdk.parent).as_posix()}"] = {
            "py": path.read_text()
        }
    helper = Path(__file__).with_name("sdk_workflows.js.txt").read_text()
    modules["python_modules/workers/workflows.js"] = {"js": helper}
    return modules
