"""Loading a tenant's code into a Worker Loader isolate.

The isolate id includes the tenant's identity and the code version, so new
code gets a new isolate, instances pinned to an old version keep running on
it, and a tenant recreated under a deleted tenant's name never gets the old
tenant's isolate.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

import workers
from pyodide.ffi import JsException, create_once_callable

import dynamic_workflows
from dynamic_workflows import wrap_workflow_binding
from dynamic_workflows.runtime.convert import to_js

from .uploads import ALLOWED_FLAGS, BINARY_TYPES, TenantCode, UploadError, load_failure

LIMITS = {"cpuMs": 5_000, "subRequests": 50}
#: The metadata key whose value scopes a tenant's instance ids: its identity, not its name.
SCOPE_KEY = "tenantUid"
#: The entrypoint every tenant exports for its Workflow.
WORKFLOW_ENTRYPOINT = "TenantWorkflow"
#: A method no tenant has: calling it makes workerd evaluate the tenant's modules.
PROBE_METHOD = "dispatcherLoadProbe"
#: workerd's answers (JavaScript, Python entrypoint) to a call of a method that is not there.
_NO_SUCH_METHOD = (
    f'The RPC receiver does not implement the method "{PROBE_METHOD}".',
    f"Method {PROBE_METHOD} does not exist",
)


class TenantDeletedError(RuntimeError):
    """The instance's tenant was deleted (and maybe recreated under its name): the run ends."""

    def __init__(self, tenant: str) -> None:
        super().__init__(
            f"tenant {tenant!r} was deleted, so its instances end: this instance belongs to "
            "the deleted tenant, not to any tenant now using the name."
        )


def isolate_id(tenant: str, uid: str, version: str) -> str:
    """The Worker Loader id of a tenant's code version (workerd caches an isolate per id)."""
    return f"{tenant}@{uid}@{version}"


def tenant_metadata(tenant: str, uid: str, version: str) -> dict[str, str]:
    """What every instance created through the tenant's binding is tagged with."""
    return {"tenantId": tenant, SCOPE_KEY: uid, "codeVersion": version}


def tenant_worker(
    env: Any, tenant: str, uid: str, version: str, code: TenantCode, *, dev: bool
) -> Any:
    """The tenant's dynamic worker (loaded once per identity and version, then cached)."""

    def worker_code() -> Any:
        return to_js(_worker_code(tenant, uid, version, code, dev=dev))

    return env.LOADER.get(isolate_id(tenant, uid, version), create_once_callable(worker_code))


async def probe(
    env: Any, tenant: str, uid: str, version: str, code: TenantCode, *, dev: bool
) -> str | None:
    """Load the code in workerd and evaluate its modules; None if it loads, else why not.

    The probe calls a method no tenant has on its TenantWorkflow entrypoint: workerd
    must evaluate every module to find the class, and no tenant handler runs. A
    missing method is the answer for code that loads; anything else is a load failure
    (a syntax error, a bad wasm module, a missing export, a module that raises).
    The isolate is the one the tenant's traffic will use, so it is warm afterwards.
    """
    worker = tenant_worker(env, tenant, uid, version, code, dev=dev)
    try:
        await getattr(worker.getEntrypoint(WORKFLOW_ENTRYPOINT), PROBE_METHOD)()
    except JsException as exc:
        message = str(getattr(getattr(exc, "js_error", None), "message", "") or exc)
        return None if message.strip() in _NO_SUCH_METHOD else load_failure(message, code.modules)
    return None


def _worker_code(
    tenant: str, uid: str, version: str, code: TenantCode, *, dev: bool
) -> dict[str, Any]:
    modules: dict[str, Any] = {name: _module(m) for name, m in code.modules.items()}
    flags = list(code.compatibility_flags)
    binding = wrap_workflow_binding(tenant_metadata(tenant, uid, version), scope_key=SCOPE_KEY)
    worker: dict[str, Any] = {
        "compatibilityDate": code.compatibility_date,
        "mainModule": code.main_module,
        "env": {"WORKFLOWS": binding},
        "globalOutbound": None,
        "limits": LIMITS,
    }
    if code.is_python:
        modules.update(library_modules())
        flags += ["python_workers", "enable_python_external_sdk"]
        if dev:
            # The offline runtime: workerd's development Pyodide bundle (tests only).
            # allowExperimental lets the worker's flags switch on experimental features,
            # so it goes only with tenant flags from the allowlist (code stored before the
            # allowlist existed is checked again here).
            refused = sorted(set(code.compatibility_flags) - ALLOWED_FLAGS)
            if refused:
                raise UploadError(
                    f"stored code of tenant {tenant!r} asks for flags {refused} outside "
                    "the allowlist; upload it again without them."
                )
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
