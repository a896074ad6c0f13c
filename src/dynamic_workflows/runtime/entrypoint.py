"""The dispatcher's one WorkflowEntrypoint, which runs each instance in its tenant's code.

The engine calls ``run(event, step)``; ``dispatch_workflow`` reads the envelope off
the payload, asks ``load_runner`` for the tenant's ``TenantWorkflow`` and forwards
the run to it with the tenant's event and the engine's own step. It is the one way
a run goes: ``create_dynamic_workflow_entrypoint``'s class calls it, and so may a
``run`` of your own.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from js import Object
from pyodide.ffi import JsProxy, create_proxy, jsnull  # type: ignore[attr-defined]
from workers import WorkflowEntrypoint

from ..core.envelope import unwrap_params
from ..core.events import FORWARDED_KEYS, run_failure, run_scope, tenant_event
from ..core.scoping import DEFAULT_SCOPE_KEY
from . import javascript
from .convert import js_function, to_js, to_py
from .errors import Rejection, to_js_error

LoadRunner = Callable[..., Any | Awaitable[Any]]

#: What the tenant's event is made of (``core.events.tenant_event``), besides the payload.
_EVENT_KEYS = ("instanceId", *FORWARDED_KEYS)


class _HasEnvAndCtx(Protocol):
    env: Any
    ctx: Any


class DynamicWorkflowEntrypoint(WorkflowEntrypoint):
    """A WorkflowEntrypoint whose ``run`` gets the engine's event and step as they are.

    The SDK converts ``event`` to a dict and wraps ``step`` in a Python helper
    for every ``run`` defined in a subclass body. A dispatcher must instead pass
    the engine's step on, so that the tenant drives the engine directly (no
    extra RPC hop per step call). This base hides ``run`` from that conversion
    while the SDK sets the class up, then puts it back.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        run = cls.__dict__.get("run")
        if run is not None:
            delattr(cls, "run")
        super().__init_subclass__(**kwargs)
        if run is not None:
            cls.run = run  # type: ignore[attr-defined]


def dispatch_workflow(
    owner: _HasEnvAndCtx,
    event: Any,
    step: Any,
    load_runner: LoadRunner,
    *,
    scope_key: str | None = DEFAULT_SCOPE_KEY,
) -> Any:
    """What ``run`` returns to the engine: the tenant's run, settled as the tenant's own.

    ``owner`` is the entrypoint (anything with ``env`` and ``ctx``).
    ``load_runner(metadata=, env=, ctx=)`` may be sync or async and must return
    something with ``run(event, step)``: in practice
    ``loader.get(...).getEntrypoint("TenantWorkflow")``. An instance made on the
    raw binding fails with ``MissingDispatcherMetadataError``. Return the result
    as it is (do not await it): the engine tells a pause, terminate or restart
    from a failure by the exact message of the error the pending step throws,
    and a ``NonRetryableError`` by its name, and an error raised through Python
    reaches it as a ``PythonError`` traceback. So the result is a thenable that
    settles with the tenant's JavaScript result or error directly; Python is
    called again only when the run failed (a Python tenant's traceback is cut
    down to its final exception, ``core.events.run_failure``).

    The engine records a failed run as ``{name, message}`` of the error; over RPC
    workerd keeps a custom name only where the receiver has
    ``enhanced_error_serialization`` (the local engine runs at an old date), and
    folds it into the message otherwise (``Error: NonRetryableError: ...``), as
    for the JavaScript reference: the engine still recognises it.
    """
    try:
        js = javascript.module()
        runner, tenant_event_js = _start(owner, event, load_runner, scope_key)
    except Exception as exc:
        return Rejection(to_js_error(exc)).js_object
    pending = inspect.isawaitable(runner)
    if pending:  # load_runner answers later: the module awaits it (and destroys the proxy)
        runner = create_proxy(asyncio.ensure_future(runner))
    answer = Object.new()  # not yet a thenable: see library.mjs's adopt
    js.runInto(answer, runner, pending, tenant_event_js, step, js_function(_failure))
    return answer


def _start(
    owner: _HasEnvAndCtx, event: Any, load_runner: LoadRunner, scope_key: str | None
) -> tuple[Any, Any]:
    """``load_runner``'s answer (the runner, or an awaitable of it) and the tenant's event."""
    fields = _event_fields(event)
    metadata_js, params = unwrap_params(fields.get("payload"))
    metadata = to_py(metadata_js)
    shaped = tenant_event(fields, params, run_scope(metadata, scope_key))
    return load_runner(metadata=metadata, env=owner.env, ctx=owner.ctx), to_js(shaped)


def create_dynamic_workflow_entrypoint(
    load_runner: LoadRunner, *, scope_key: str | None = DEFAULT_SCOPE_KEY
) -> type[DynamicWorkflowEntrypoint]:
    """The WorkflowEntrypoint class to register as the Workflow's ``class_name``.

    Its ``run`` is ``dispatch_workflow``. ``scope_key`` must match the one given
    to ``wrap_workflow_binding``, so the tenant's ``run`` sees its own instance id.
    """

    class DynamicWorkflow(DynamicWorkflowEntrypoint):
        def run(self, event: Any, step: Any) -> Any:
            return dispatch_workflow(self, event, step, load_runner, scope_key=scope_key)

    return DynamicWorkflow


def _failure(name: Any, message: Any) -> Any:
    """What the engine should see for a failed run: ``[name, message]`` (the engine's abort
    line a Python traceback buried, or a Python tenant's final exception as a one-line error
    named after its class, ``run_failure``), or null to pass the tenant's error on as it is."""
    failure = run_failure(str(name or ""), str(message or ""))
    return jsnull if failure is None else to_js([failure.name, failure.message])


def _event_fields(event: Any) -> dict[str, Any]:
    """The engine's event as a dict whose values stay JS: the payload is not copied."""
    if not isinstance(event, JsProxy):
        return dict(event)
    fields = {key: getattr(event, key, None) for key in _EVENT_KEYS}
    payload = getattr(event, "payload", None)
    # One level only: metadata and params stay JS values until they are needed.
    fields["payload"] = payload.to_py(depth=1) if isinstance(payload, JsProxy) else payload
    return fields
