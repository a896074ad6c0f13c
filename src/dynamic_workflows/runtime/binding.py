"""The wrapped Workflow binding a tenant's dynamic worker receives.

``wrap_workflow_binding`` builds a ctx.exports loopback stub of
``DynamicWorkflowBinding`` whose props carry the tenant's metadata; the stub
is serialisable, so it can sit in a dynamic worker's ``env``. Every call comes
back into the dispatcher, where the real binding lives.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from functools import cache, lru_cache, partial
from typing import Any, ClassVar, NamedTuple, cast

from js import JSON, Object, Promise
from pyodide.ffi import (  # type: ignore[attr-defined]
    JsException,
    create_once_callable,
    create_proxy,
    jsnull,
)
from workers import WorkerEntrypoint, import_from_javascript

from ..core import (
    DEFAULT_SCOPE_KEY,
    Admission,
    BindingNotExportedError,
    DynamicWorkflowsError,
    MissingWorkflowBindingError,
    PreparedCreate,
    Reservation,
    TenantBinding,
)
from ..core.admission import NativeAdmission
from ..core.envelope import METADATA_KEY, PARAMS_KEY
from ..core.tenancy import engine_refusal
from . import native, raw_args
from .convert import is_null, to_js, to_py
from .errors import error_pair, internal_error, tenant_facing
from .measure import batch_of, options_of
from .surface import RpcSurface

#: Instance methods a handle forwards, under the names JavaScript tenants call.
INSTANCE_METHODS = ("status", "pause", "resume", "terminate", "restart", "sendEvent", "delete")


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
        surface = RpcSurface({name: partial(method, call) for name, method in _METHODS.items()})
        return cast(DynamicWorkflowBinding, surface)


class _Call(NamedTuple):
    """What a method of the surface is bound to: the tenant's props and the hook."""

    props: Any
    admission: Admission | None


async def _create(call: _Call, options: Any = None) -> Any:
    tenant, workflow, name, metadata_js = _tenant(call.props)
    helper = await native.load()
    options, size = options_of(options)
    prepared = tenant.prepare_create(options, params_size=size)
    tenant_id = prepared.tenant_id or None
    engine_options = _engine_options(prepared.engine_options, metadata_js)
    engine_ids = [str(prepared.engine_options.get("id") or "")]
    if helper is not None:
        # A NativeAdmission's call is made and read in JavaScript; any other hook is asked
        # here. The engine's answer becomes the handle in JavaScript: Python is called
        # back only on a refusal.
        admitted = _native_call(call.admission, tenant, engine_ids, name)
        admitting = _Admitting(call.admission, tenant, tenant_id, engine_ids, name)
        if admitted is None:
            admitting.reservation = await _reserve(call.admission, tenant, [prepared], name)
        answer = Object.new()
        hook = create_proxy(admitting)
        helper.createInto(answer, admitted, hook, workflow, engine_options, tenant_id)
        return answer
    reservation = await _reserve(call.admission, tenant, [prepared], name)
    async with _cancelled_on_refusal(reservation):
        with _engine_errors(tenant, tenant_id):
            instance = await workflow.create(engine_options)
    return _handle(instance, tenant_id or instance.id)


async def _create_batch(call: _Call, batch: Any = None) -> Any:
    tenant, workflow, name, _ = _tenant(call.props)
    await native.load()
    items, sizes = batch_of(batch)
    prepared = tenant.prepare_batch(items, params_sizes=sizes)
    reservation = await _reserve(call.admission, tenant, prepared, name)
    async with _cancelled_on_refusal(reservation):
        with _engine_errors(tenant, prepared[0].tenant_id if len(prepared) == 1 else None):
            instances = await workflow.createBatch(to_js([p.engine_options for p in prepared]))
    return to_js(
        [
            _handle(instance, item.tenant_id or instance.id)
            for instance, item in zip(instances, prepared, strict=True)
        ]
    )


async def _get(call: _Call, id: Any = None) -> Any:
    tenant, workflow, _, _ = _tenant(call.props)
    engine_id = tenant.engine_id(id)
    helper = await native.load()
    if helper is not None:
        # The engine's answer becomes the handle in JavaScript: no second Python turn.
        answer = Object.new()
        helper.getInto(answer, workflow, engine_id, id, _refused_proxy(), _prefix(tenant))
        return answer
    with _engine_errors(tenant, id):
        instance = await workflow.get(engine_id)
    return _handle(instance, id)


async def _delete_batch(call: _Call, ids: Any = None) -> Any:
    tenant, workflow, _, _ = _tenant(call.props)
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


def _tenant(props: Any) -> tuple[TenantBinding, Any, str, Any]:
    """The tenant, its Workflow binding and that binding's name, its metadata as JS."""
    # The props' JSON is their identity: a tenant is checked once, not on every call.
    name, tenant, metadata_js = _tenant_for(JSON.stringify(props))
    workflow = getattr(_workers_module().env, name, None)
    if workflow is None:
        raise MissingWorkflowBindingError(name)
    return tenant, workflow, name, metadata_js


def _engine_options(options: Mapping[str, Any], metadata_js: Any) -> Any:
    """A create's engine options as JavaScript, built field by field: the envelope's
    metadata is the tenant's JavaScript copy, made once, and params stay as they are."""
    js_options = Object.new()
    for key, value in options.items():
        if key == PARAMS_KEY and isinstance(value, dict):
            envelope = Object.new()
            for name, item in value.items():
                setattr(envelope, name, metadata_js if name == METADATA_KEY else to_js(item))
            setattr(js_options, key, envelope)
        else:
            setattr(js_options, key, value if isinstance(value, str) else to_js(value))
    return js_options


@lru_cache(maxsize=4096)
def _tenant_for(props_json: str) -> tuple[str, TenantBinding, Any]:
    props = json.loads(props_json)
    tenant = TenantBinding.create(props["metadata"], props.get("scopeKey"))
    # Read-only, and plain data: one JavaScript copy serves every create of the tenant.
    return props["bindingName"], tenant, to_js(tenant.metadata)


@cache
def _workers_module() -> Any:
    return import_from_javascript("cloudflare:workers")


def _prefix(tenant: TenantBinding) -> str | None:
    return tenant.scope.prefix if tenant.scope is not None else None


@cache
def _refused_proxy() -> Any:
    """``_refused`` as a JavaScript function, made once: native.mjs calls it on a refusal."""
    return create_proxy(_refused)


def _refused(message: Any, instance_id: Any, prefix: Any) -> Any:
    """The engine refused: the name and message of the library's error for it (a JS array)."""
    return error_pair(engine_refusal(str(message), _text(instance_id), _text(prefix)))


def _text(value: Any) -> str | None:
    return None if is_null(value) else str(value)


def _handle(instance: Any, tenant_id: str) -> Any:
    """A plain object: the tenant's id, and the engine instance's own methods.

    Bound JS methods cross RPC as stubs that call the engine directly: no
    Python on the path, and every option (``terminate(opts)``,
    ``restart(opts)``) reaches the engine unchanged. Built field by field: a
    dict through ``to_js`` would walk it in Python first.
    """
    handle = Object.new()
    handle.id = tenant_id
    for name in INSTANCE_METHODS:
        method = getattr(instance, name, None)
        if method is not None:
            setattr(handle, name, method.bind(instance))
    return handle


async def _reserve(
    admission: Admission | None,
    tenant: TenantBinding,
    prepared: list[PreparedCreate],
    binding_name: str,
) -> Reservation | None:
    """Ask the hook, before the engine is called (it may refuse by raising)."""
    if admission is None:
        return None
    engine_ids = [str(item.engine_options.get("id") or "") for item in prepared]
    return await admission.reserve(tenant.metadata, engine_ids, binding_name)


@asynccontextmanager
async def _cancelled_on_refusal(reservation: Reservation | None) -> AsyncIterator[None]:
    """Cancel the reservation when the engine refused (the block raised)."""
    try:
        yield
    except BaseException:
        await _cancel(reservation)
        raise


async def _cancel(reservation: Reservation | None) -> None:
    """Tell the hook the engine refused; a failure here is logged, never the tenant's."""
    if reservation is None:
        return
    try:
        await reservation.cancel()
    except Exception as exc:
        internal_error(exc)  # logs it: the hook reconciles reservations itself


def _native_call(
    admission: Admission | None,
    tenant: TenantBinding,
    engine_ids: list[str],
    binding_name: str,
) -> Any:
    """A ``NativeAdmission``'s call, ``[object, method, argument]`` as JS; None without one."""
    reserve = getattr(admission, "reserve_natively", None)
    call = None if reserve is None else reserve(tenant.metadata, engine_ids, binding_name)
    return None if call is None else to_js(list(call))


class _Admitting:
    """What native.mjs's createInto calls back: ``(kind, value, answer)``.

    ``admit``: the native hook's answer ``value`` was not ok
    (``NativeAdmission.admit``); ``refused``: the engine refused with message
    ``value`` (cancel the reservation, the one made here or the one the native
    hook's ``answer`` stands for; name the refusal); ``error``: the native
    hook's call failed with ``value``. Answers ``[name, message]`` of the
    error to throw, or null to go on. Never raises: a tenant sees only named
    errors.
    """

    def __init__(
        self,
        admission: Admission | None,
        tenant: TenantBinding,
        tenant_id: str | None,
        engine_ids: list[str],
        binding_name: str,
    ) -> None:
        self.admission, self.tenant, self.tenant_id = admission, tenant, tenant_id
        self.engine_ids, self.binding_name = engine_ids, binding_name
        self.reservation: Reservation | None = None

    def __call__(self, kind: str, value: Any, answer: Any = None) -> Any:
        # A JS promise: a coroutine returned to JavaScript would not outlive this call.
        return _promise(self._answer(kind, value, answer))

    async def _answer(self, kind: str, value: Any, answer: Any) -> Any:
        metadata = self.tenant.metadata
        try:
            native = cast(NativeAdmission, self.admission)  # "admit", "error": only then
            if kind == "admit":
                self.reservation = await native.admit(
                    to_py(value), metadata, self.engine_ids, self.binding_name
                )
                return jsnull
            if kind == "refused":
                if self.reservation is None and not is_null(answer):
                    self.reservation = native.reservation(to_py(answer), metadata)
                await _cancel(self.reservation)
                error: Exception = self.tenant.engine_refusal(str(value), self.tenant_id)
            else:
                error = internal_error(RuntimeError(f"the admission hook failed: {value}"))
        except DynamicWorkflowsError as exc:
            error = exc
        except Exception as exc:
            error = internal_error(exc)
        return error_pair(error)


def _promise(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """A JavaScript promise of what ``coroutine`` returns: ``[name, message]`` or null.

    Should it end otherwise (cancelled), the promise still settles, with the internal
    error's ``[name, message]``: the tenant's create must not wait forever.
    """
    task = asyncio.ensure_future(coroutine)

    def settle(resolve: Any, done: asyncio.Future[Any]) -> None:
        try:
            resolve(done.result())
        except BaseException as exc:
            resolve(error_pair(internal_error(exc)))

    def executor(resolve: Any, _reject: Any) -> None:
        task.add_done_callback(partial(settle, resolve))

    return Promise.new(create_once_callable(executor))


@contextmanager
def _engine_errors(tenant: TenantBinding, instance_id: str | None) -> Iterator[None]:
    """Show the engine's refusals as the library's classes, in the tenant's own ids."""
    try:
        yield
    except JsException as exc:
        message = str(getattr(exc, "message", "") or exc)
        raise tenant.engine_refusal(message, instance_id) from None
