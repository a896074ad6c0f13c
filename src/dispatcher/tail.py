"""Per-tenant logs: the dispatcher's Tail Worker of every tenant worker, and its runs observed.

Every tenant worker the dispatcher loads (``tenants.tenant_worker``) carries
``ctx.exports.TenantTail({props: {tenant, uid, version}})`` in its
``WorkerCode.tails``: after each invocation of the tenant's code, workerd hands
``TenantTail.tail`` its logs, exceptions and outcome. The props are set by the
dispatcher when it loads the code; a tenant holds no stub of the tail and
cannot name another tenant in what it prints. A run's failure never reaches the
tail (an error thrown from an RPC method goes back to its caller), so the run
route observes the tenant's runner (``observed``) and records it.

The work is in ``tail.mjs``: Python is entered once per tail event (workerd
builds a Python instance and calls ``tail``), which hands the events to
JavaScript and returns; an invocation that printed nothing costs nothing more.
"""

from __future__ import annotations

from functools import cache, lru_cache, partial
from typing import Any, cast

from js import Date, Object
from pyodide.ffi import create_proxy
from workers import WorkerEntrypoint, import_from_javascript

from dynamic_workflows import entrypoint_surface, raw_rpc_arguments, surface_ignored, to_js
from dynamic_workflows.core.events import engine_abort, run_failure

from .config import INDEX_BINDING, LOG_LIMITS
from .env import raw_env, workers_module

MODULE_NAME = "dispatcher/tail.mjs"
_state: dict[str, Any] = {"module": None}
#: Changed only through the test-only debug route (``/admin/debug/tails/off``): tenant workers
#: loaded while it is off carry no tail (the benchmarks' baseline for the tail's cost).
ENABLED = {"tails": True}


class TenantTail(WorkerEntrypoint):
    """The Tail Worker of one tenant's worker; ``ctx.props`` names the tenant.

    workerd gets an ``RpcSurface`` whose only method is ``tail``, on the raw
    path (the trace events as JavaScript, unconverted).
    """

    def __new__(cls, ctx: Any, env: Any = None) -> TenantTail:
        raw_rpc_arguments()
        return cast(TenantTail, entrypoint_surface(cls, {"tail": partial(_tail, ctx.props)}))

    def __init__(self, ctx: Any, env: Any = None) -> None:
        """Runs only if workerd made this instance without ``__new__``'s surface."""
        super().__init__(ctx, env)
        surface_ignored(self)

    async def tail(self, events: Any, *_: Any) -> None:
        """Declares the handler to workerd; the surface answers it, or, without one,
        this does the same with the events as the SDK converted them."""
        await _tail_once_loaded(self.ctx.props, to_js(events))


async def load() -> Any:
    """``tail.mjs``, imported once per isolate (the dispatcher's bundle always carries it)."""
    if _state["module"] is None:
        _state["module"] = import_from_javascript(MODULE_NAME)  # the bundle always carries it
    return _state["module"]


def _tail(identity: Any, events: Any, *_: Any) -> Any:
    module = _state["module"]
    if module is None:
        return _tail_once_loaded(identity, events)
    answer = Object.new()  # not yet a thenable: workerd adopts it once tailInto sets `then`
    module.tailInto(answer, identity, events, _index(), _limits())
    return answer


async def _tail_once_loaded(identity: Any, events: Any) -> None:
    module = await load()
    await module.tailInto(Object.new(), identity, events, _index(), _limits())


#: The library's detail only an RPC call to an entrypoint tries (``entrypoint_surface``).
SURFACE_DETAIL = "entrypoint-surface"


async def call_empty() -> None:
    """One RPC call to a ``TenantTail`` with no events (it records nothing): what workerd
    makes for the call records the ``entrypoint-surface`` detail (the status tries it so)."""
    props = {"props": {"tenant": "-", "uid": "-", "version": "-"}}
    await workers_module().exports.TenantTail(to_js(props)).tail(to_js([]))


def tail_stubs(tenant: str, uid: str, version: str) -> list[Any]:
    """The tails of a tenant worker being loaded: the dispatcher's ``TenantTail`` for it."""
    if not ENABLED["tails"]:
        return []
    props = {"props": {"tenant": tenant, "uid": uid, "version": version}}
    return [workers_module().exports.TenantTail(to_js(props))]


def observed(runner: Any, tenant: str, uid: str, version: str) -> Any:
    """``runner`` (the tenant's TenantWorkflow) as the run route calls it: each run noted
    for the tail, a failed one recorded. Call after ``load()``."""
    return _state["module"].observedRunner(
        runner, _identity(tenant, uid, version), _failed_proxy(), _index(), _limits()
    )


async def record_admin(current: Any, tenant: str, instance: str | None, message: str) -> None:
    """Log an operator's action on the tenant's instances, as the tenant's entries are."""
    module = await load()
    entry = {"level": "info", "source": "admin", "instance": instance, "name": None}
    entry |= {"message": message, "at": Date.now()}
    identity = _identity(tenant, current.uid, current.version)
    await module.record(identity, to_js([entry]), _index(), _limits())


def loaded() -> bool:
    return _state["module"] is not None


@lru_cache(maxsize=1024)
def _identity(tenant: str, uid: str, version: str) -> Any:
    return to_js({"tenant": tenant, "uid": uid, "version": version})


def _index() -> Any:
    return getattr(raw_env(), INDEX_BINDING)


@cache
def _limits() -> Any:
    return to_js(
        {
            "perInvocation": LOG_LIMITS.per_invocation,
            "perBatch": LOG_LIMITS.per_batch,
            "batchMs": LOG_LIMITS.batch_ms,
            "messageChars": LOG_LIMITS.message_bytes,
        }
    )


@cache
def _failed_proxy() -> Any:
    return create_proxy(_failed)


def _failed(name: str, message: str) -> Any:
    """The entry for a failed run: the engine stopping it (pause, terminate, restart) is
    information, anything else an error named after the tenant's exception."""
    now = Date.now()
    abort = engine_abort(message)
    entry: dict[str, Any]
    if abort is not None:
        entry = {"level": "info", "name": None, "message": f"the run stopped: {abort}"}
    else:
        failure = run_failure(name, message)
        named = failure.name if failure else name or "Error"
        entry = {"level": "error", "name": named, "message": message}
    return to_js({**entry, "source": "run", "at": now})
