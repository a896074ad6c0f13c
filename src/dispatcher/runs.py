"""Runs: the dispatcher's one ``DynamicWorkflow``, which runs each instance in its tenant's code."""

from __future__ import annotations

from typing import Any

from dynamic_workflows import create_dynamic_workflow_entrypoint

from . import tail
from .env import raw_env
from .store import Current, TenantStore
from .tenants import SCOPE_KEY, WORKFLOW_ENTRYPOINT, TenantDeletedError, tenant_worker
from .uploads import TenantCode


def load_runner(metadata: dict[str, Any], env: Any, ctx: Any) -> Any:
    """The tenant's TenantWorkflow, at the code version the instance was created with.

    Only while the tenant that created the instance exists: a deleted tenant's
    instances end (TenantDeletedError) the next time the engine runs them, even
    when a new tenant now has the name. Answers at once when this isolate has
    the tenant's pointer and code (the library then forwards the run without
    another Python turn), else with a coroutine that reads them. The runner is
    observed (``tail.observed``): the run's instance is noted for the tenant's
    logs, and a failed run recorded there.
    """
    tenant, uid, version = metadata["tenantId"], metadata[SCOPE_KEY], metadata["codeVersion"]
    cached = TenantStore.cached(tenant, version)
    if cached is None or not tail.loaded():
        return _read_runner(tenant, uid, version)
    return _runner(tenant, uid, version, *cached)


async def _read_runner(tenant: str, uid: str, version: str) -> Any:
    await tail.load()
    store = TenantStore(raw_env().TENANT_CODE)
    return _runner(
        tenant, uid, version, await store.current(tenant), await store.load(tenant, version)
    )


def _runner(
    tenant: str, uid: str, version: str, current: Current | None, code: TenantCode | None
) -> Any:
    if current is None or current.uid != uid:
        raise TenantDeletedError(tenant)
    if code is None:
        raise RuntimeError(f"code version {version} of tenant {tenant!r} is gone")
    worker = tenant_worker(raw_env(), tenant, uid, version, code, current.shard)
    return tail.observed(worker.getEntrypoint(WORKFLOW_ENTRYPOINT), tenant, uid, version)


DynamicWorkflow = create_dynamic_workflow_entrypoint(load_runner, scope_key=SCOPE_KEY)
