"""Loading a tenant's code into a Worker Loader isolate.

The isolate id includes the tenant's identity and the code version, so new
code gets a new isolate, instances pinned to an old version keep running on
it, and a tenant recreated under a deleted tenant's name never gets the old
tenant's isolate.
"""

from __future__ import annotations

import base64
from functools import partial
from typing import Any

from pyodide.ffi import JsException

from dynamic_workflows import development_runtime, load_tenant_worker, tenant_worker_code

from . import tail
from .config import TENANT_LIMITS
from .probe_elsewhere import probe_elsewhere, probe_url
from .uploads import ALLOWED_FLAGS, BINARY_TYPES, TenantCode, UploadError, load_failure

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
    """The Worker Loader id of a tenant's code version (workerd caches an isolate per id).

    Loaded while the tails are switched off (a benchmark's baseline), the same code gets
    an isolate of its own: the tails are part of the code an isolate is loaded with.
    """
    return f"{tenant}@{uid}@{version}" + ("" if tail.ENABLED["tails"] else "@untailed")


def tenant_metadata(tenant: str, uid: str, version: str) -> dict[str, str]:
    """What every instance created through the tenant's binding is tagged with."""
    return {"tenantId": tenant, SCOPE_KEY: uid, "codeVersion": version}


def tenant_worker(
    env: Any, tenant: str, uid: str, version: str, code: TenantCode, shard: str
) -> Any:
    """The tenant's dynamic worker (loaded once per identity and version, then cached),
    its ``env.WORKFLOWS`` wrapping the Workflow binding ``shard``."""
    return load_tenant_worker(
        env.LOADER, isolate_id(tenant, uid, version), **_code(tenant, uid, version, code, shard)
    )


def worker_code(tenant: str, uid: str, version: str, code: TenantCode, shard: str) -> Any:
    """The Worker Loader ``WorkerCode`` of this tenant's code, as ``tenant_worker`` loads it."""
    return tenant_worker_code(**_code(tenant, uid, version, code, shard))


def _code(tenant: str, uid: str, version: str, code: TenantCode, shard: str) -> dict[str, Any]:
    """The arguments of ``tenant_worker_code`` for this tenant's code."""
    if code.is_python and development_runtime():
        # The library adds allowExperimental for Python tenants on the development
        # runtime, which lets the worker's own flags switch on experimental features:
        # only flags from the allowlist go with it (code stored before the allowlist
        # existed is checked again here).
        refused = sorted(set(code.compatibility_flags) - ALLOWED_FLAGS)
        if refused:
            raise UploadError(
                f"stored code of tenant {tenant!r} asks for flags {refused} outside "
                "the allowlist; upload it again without them."
            )
    return {
        "main_module": code.main_module,
        "modules": {name: _module(module) for name, module in code.modules.items()},
        "metadata": tenant_metadata(tenant, uid, version),
        "compatibility_date": code.compatibility_date,
        "compatibility_flags": code.compatibility_flags,
        "scope_key": SCOPE_KEY,
        "binding_name": shard,
        "limits": TENANT_LIMITS,
        "tails": partial(tail.tail_stubs, tenant, uid, version),
    }


async def probe(
    env: Any, tenant: str, uid: str, version: str, code: TenantCode, shard: str
) -> str | None:
    """Load the code in workerd and evaluate its modules; None if it loads, else why not.

    The probe calls a method no tenant has on its TenantWorkflow entrypoint: workerd
    must evaluate every module to find the class, and no tenant handler runs. A
    missing method is the answer for code that loads; anything else is a load failure
    (a syntax error, a bad wasm module, a missing export, a module that raises).
    The isolate is the one the tenant's traffic will use, so it is warm afterwards.

    Where the runtime does not bound that load (a local run, ``DW_UPLOAD_PROBE_URL``), the
    code is first loaded in the dev tooling's probe process, which stops it past the
    bounds Cloudflare sets (``probe_elsewhere``); only code that loaded there loads here.
    """
    url = probe_url(env)
    if url is not None:
        built = worker_code(tenant, uid, version, code, shard)
        answer = await probe_elsewhere(url, built, sorted(code.modules))
        if answer.get("refused"):
            return str(answer["refused"])
        failure = _failure(answer.get("error"), code)
        if failure is not None:
            return failure
    worker = tenant_worker(env, tenant, uid, version, code, shard)
    try:
        await getattr(worker.getEntrypoint(WORKFLOW_ENTRYPOINT), PROBE_METHOD)()
    except JsException as exc:
        return _failure(str(getattr(getattr(exc, "js_error", None), "message", "") or exc), code)
    return None


def _failure(message: str | None, code: TenantCode) -> str | None:
    """What a probe's error says about the code: None when it loaded (the method is missing)."""
    if message is None or message.strip() in _NO_SUCH_METHOD:
        return None
    return load_failure(message, code.modules)


def _module(module: dict[str, str]) -> dict[str, str | bytes]:
    ((kind, value),) = module.items()
    # Binary modules are stored as base64; bytes cross to JavaScript as a Uint8Array.
    return {kind: base64.b64decode(value) if kind in BINARY_TYPES else value}
