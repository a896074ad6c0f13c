"""The wrapped Workflow binding a tenant's dynamic worker receives.

``wrap_workflow_binding`` builds a ctx.exports loopback stub of
``DynamicWorkflowBinding`` whose props carry the tenant's metadata; the stub
is serialisable, so it can sit in a dynamic worker's ``env``. Every call comes
back into the dispatcher, where the real binding lives: here are its four
methods; reading options is ``options``, the admission hook ``admitting``, and
the engine's answers become handles in ``library.mjs``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import cache, partial
from typing import Any, ClassVar, NamedTuple, cast

from js import Object
from pyodide.ffi import JsException, create_proxy
from workers import WorkerEntrypoint, import_from_javascript

from ..core.admission import Admission
from ..core.errors import BindingNotExportedError, MissingWorkflowBindingError
from ..core.scoping import DEFAULT_SCOPE_KEY
from ..core.tenancy import PreparedCreate, TenantBinding, engine_refusal
from . import javascript, raw_args
from .admitting import Admitting, cancelled_on_refusal, reserve
from .convert import is_null, js_function, to_js, to_py
from .errors import error_pair, tenant_facing
from .options import engine_options, read_batch, read_create, tenant_of
from .surface import entrypoint_surface, surface_ignored


def wrap_workflow_binding(
    metadata: dict[str, Any],
    *,
    binding_name: str = "WORKFLOWS",
    scope_key: str | None = DEFAULT_SCOPE_KEY,
) -> Any:
    """A Workflow-shaped RPC stub that tags every create with ``metadata``.

    ``metadata[scope_key]`` names the tenant: its instance ids live in a
    namespace of their own. Call this inside a request (ctx.exports is
    per-request). Metadata is checked here, so a bad one fails at wrap time.
    """
    TenantBinding.create(metadata, scope_key)
    exports = getattr(_workers_module(), "exports", None)
    factory = getattr(exports, "DynamicWorkflowBinding", None)
    if not callable(factory):
        raise BindingNotExportedError()
    props = {"bindingName": binding_name, "metadata": metadata, "scopeKey": scope_key}
    return factory(to_js({"props": props}))


class DynamicWorkflowBinding(WorkerEntrypoint):
    """The RPC entrypoint behind wrapped bindings: create, createBatch, get and deleteBatch.

    Re-export it from the dispatcher's main module so it is on ctx.exports.
    workerd makes one instance per call and calls the method it names on it;
    the instance made here is an ``RpcSurface`` holding exactly those four
    methods, bound to the tenant in ``ctx.props`` (set by the dispatcher, never
    by the tenant). Nothing else of the class, its bases or the runtime's
    objects can be named, called or replaced over RPC.
    """

    #: The optional admission hook (quotas, an instance index): see ``core.admission``.
    #: Set it on a subclass and export the subclass as ``DynamicWorkflowBinding``.
    admission: ClassVar[Admission | None] = None

    def __new__(cls, ctx: Any, env: Any = None) -> DynamicWorkflowBinding:
        raw_args.install()
        call = _Call(ctx.props, cls.admission)
        methods = {name: partial(method, call) for name, method in _METHODS.items()}
        return cast(DynamicWorkflowBinding, entrypoint_surface(cls, methods))

    def __init__(self, ctx: Any, env: Any = None) -> None:
        """Runs only if workerd made this instance without ``__new__``'s surface: it keeps
        no ctx and has none of the four methods, so every call fails (closed, and logged)."""
        surface_ignored(self)


class _Call(NamedTuple):
    """What a method of the surface is bound to: the tenant's props and the hook."""

    props: Any
    admission: Admission | None


async def _create(call: _Call, options: Any = None) -> Any:
    name, tenant, metadata_js, workflow = _tenant(call.props)
    js = javascript.module()
    prepared = tenant.prepare_create(read_create(options, tenant.params_limit, js))
    tenant_id = prepared.tenant_id or None
    admitting = Admitting(call.admission, tenant, tenant_id, _engine_ids([prepared]), name)
    # A NativeAdmission's call is made and read in JavaScript; any other hook is asked here.
    admitted = admitting.native_call()
    if admitted is None:
        await admitting.reserve()
    answer = Object.new()  # not yet a thenable: see library.mjs's adopt
    options_js = engine_options(prepared.engine_options, metadata_js)
    js.createInto(answer, admitted, create_proxy(admitting), workflow, options_js, tenant_id)
    return answer


async def _create_batch(call: _Call, batch: Any = None) -> Any:
    name, tenant, metadata_js, workflow = _tenant(call.props)
    js = javascript.module()
    prepared = tenant.prepare_batch(read_batch(batch, tenant.params_limit, js))
    reservation = await reserve(call.admission, tenant, _engine_ids(prepared), name)
    async with cancelled_on_refusal(reservation):
        with _engine_errors(tenant, prepared[0].tenant_id if len(prepared) == 1 else None):
            options = [engine_options(item.engine_options, metadata_js) for item in prepared]
            instances = await workflow.createBatch(to_js(options))
    return to_js(
        [
            js.handleOf(instance, item.tenant_id or instance.id)
            for instance, item in zip(instances, prepared, strict=True)
        ]
    )


async def _get(call: _Call, id: Any = None) -> Any:
    _, tenant, _, workflow = _tenant(call.props)
    engine_id = tenant.engine_id(id)
    answer = Object.new()  # not yet a thenable: see library.mjs's adopt
    prefix = tenant.scope.prefix if tenant.scope is not None else None
    javascript.module().getInto(answer, workflow, engine_id, id, js_function(_refused), prefix)
    return answer


async def _delete_batch(call: _Call, ids: Any = None) -> Any:
    _, tenant, _, workflow = _tenant(call.props)
    engine_ids = [tenant.engine_id(i) for i in to_py(ids)]
    with _engine_errors(tenant, None):
        result = to_py(await workflow.deleteBatch(to_js(engine_ids)))
    for entry in (*result.get("deleted", ()), *result.get("errors", ())):
        entry["id"] = tenant.tenant_id(entry["id"])
    return to_js(result)


_METHODS: dict[str, Callable[..., Awaitable[Any]]] = {
    "create": tenant_facing(_create),
    "createBatch": tenant_facing(_create_batch),
    "get": tenant_facing(_get),
    "deleteBatch": tenant_facing(_delete_batch),
}


def _tenant(props: Any) -> tuple[str, TenantBinding, Any, Any]:
    """The binding's name, the tenant, its metadata as JS, and its Workflow binding."""
    name, tenant, metadata_js = tenant_of(props)
    workflow = getattr(_workers_module().env, name, None)
    if workflow is None:
        raise MissingWorkflowBindingError(name)
    return name, tenant, metadata_js, workflow


def _engine_ids(prepared: list[PreparedCreate]) -> list[str]:
    return [str(item.engine_options.get("id") or "") for item in prepared]


@cache
def _workers_module() -> Any:
    return import_from_javascript("cloudflare:workers")


def _refused(message: Any, instance_id: Any, prefix: Any) -> Any:
    """The engine refused: the name and message of the library's error for it (a JS array)."""
    text = [None if is_null(value) else str(value) for value in (instance_id, prefix)]
    return error_pair(engine_refusal(str(message), text[0], text[1]))


@contextmanager
def _engine_errors(tenant: TenantBinding, instance_id: str | None) -> Iterator[None]:
    """Show the engine's refusals as the library's classes, in the tenant's own ids."""
    try:
        yield
    except JsException as exc:
        message = str(getattr(exc, "message", "") or exc)
        raise tenant.engine_refusal(message, instance_id) from None
