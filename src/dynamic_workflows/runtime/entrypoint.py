"""The dispatcher's one WorkflowEntrypoint, which runs each instance in its tenant's code.

The engine calls ``run(event, step)``; we read the envelope off the payload,
ask ``load_runner`` for the tenant's ``TenantWorkflow`` and forward the run to
it with the tenant's event and the engine's own step.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any, Protocol

from js import Object
from pyodide.ffi import JsException, JsProxy, create_proxy, jsnull  # type: ignore[attr-defined]
from workers import WorkflowEntrypoint

from ..core import DEFAULT_SCOPE_KEY, run_scope, tenant_event, unwrap_params
from ..core.events import run_failure
from . import native
from .convert import to_js, to_py
from .errors import named_js_error, to_js_error

LoadRunner = Callable[..., Any | Awaitable[Any]]

_EVENT_KEYS = ("instanceId", "timestamp", "workflowName", "schedule")


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


async def dispatch_workflow(
    owner: _HasEnvAndCtx,
    event: Any,
    step: Any,
    load_runner: LoadRunner,
    *,
    scope_key: str | None = DEFAULT_SCOPE_KEY,
) -> Any:
    """Unwrap the envelope, load the tenant's runner, forward ``run`` to it.

    ``owner`` is the entrypoint (anything with ``env`` and ``ctx``).
    ``load_runner(metadata=, env=, ctx=)`` may be sync or async and must return
    something with ``run(event, step)``: in practice
    ``loader.get(...).getEntrypoint("TenantWorkflow")``. Raises
    ``MissingDispatcherMetadataError`` for an instance made on the raw binding.
    """
    runner, tenant_event_js = await _ready(*_start(owner, event, load_runner, scope_key))
    return await runner.run(tenant_event_js, step)


def _start(
    owner: _HasEnvAndCtx, event: Any, load_runner: LoadRunner, scope_key: str | None
) -> tuple[Any, Any]:
    """``load_runner``'s answer (the runner, or an awaitable of it) and the tenant's event."""
    fields = _event_fields(event)
    metadata_js, params = unwrap_params(fields.get("payload"))
    metadata = to_py(metadata_js)
    shaped = tenant_event(fields, params, run_scope(metadata, scope_key))
    return load_runner(metadata=metadata, env=owner.env, ctx=owner.ctx), to_js(shaped)


def _forward(
    owner: _HasEnvAndCtx, event: Any, step: Any, load_runner: LoadRunner, scope_key: str | None
) -> Any:
    """What ``run`` returns: the tenant's run, settled for the engine.

    When ``load_runner`` answers at once (its caches hit) and native.mjs is
    loaded, the run is handed to JavaScript straight away (``runInto``): no
    Python coroutine, no second call into Python. Otherwise, and for every
    failure, a ``ForwardedRun``.
    """
    try:
        runner, tenant_event_js = _start(owner, event, load_runner, scope_key)
    except Exception as exc:
        return ForwardedRun(_raise(exc), step)
    helper = native.module()
    if helper is None or inspect.isawaitable(runner):
        return ForwardedRun(_ready(runner, tenant_event_js), step)
    answer = Object.new()  # not yet a thenable: see native.mjs's getInto
    helper.runInto(answer, runner, tenant_event_js, step, _failure_proxy())
    return answer


async def _raise(exc: Exception) -> tuple[Any, Any]:
    raise exc


async def _ready(runner: Any, tenant_event_js: Any) -> tuple[Any, Any]:
    """The tenant's runner, once ``load_runner``'s answer is in, and the tenant's event."""
    if inspect.isawaitable(runner):
        runner = await runner
    return runner, tenant_event_js


def create_dynamic_workflow_entrypoint(
    load_runner: LoadRunner, *, scope_key: str | None = DEFAULT_SCOPE_KEY
) -> type[DynamicWorkflowEntrypoint]:
    """The WorkflowEntrypoint class to register as the Workflow's ``class_name``.

    ``scope_key`` must match the one given to ``wrap_workflow_binding``, so the
    tenant's ``run`` sees its own instance id.
    """

    class DynamicWorkflow(DynamicWorkflowEntrypoint):
        def run(self, event: Any, step: Any) -> Any:
            return _forward(self, event, step, load_runner, scope_key)

    return DynamicWorkflow


class ForwardedRun:
    """What ``run`` hands the engine: a thenable that settles as the tenant's run does.

    A Python coroutine (or a JS promise returned from Python) that fails reaches
    the engine as a ``PythonError`` whose message is a traceback. The engine
    tells a pause, terminate or restart from a failure by the error's exact
    message, and a ``NonRetryableError`` by its name, so the tenant's own error
    must reach it unchanged, as with a JavaScript dispatcher. The engine awaits
    this object; ``then`` settles the engine's promise with the tenant's JS
    result or error directly (a Python tenant's traceback cut down to its final
    exception, see ``engine_error``).

    The engine records a failed run as ``{name, message}`` of the error. Over
    RPC, workerd keeps an error's own name only when the receiving side has
    enhanced error serialization (the default from compatibility date
    2026-04-21). The local engine runs at 2024-10-22 without it (naming the
    flag in a dispatcher dated later is refused on upload), so there a name
    other than JavaScript's own error types is folded into the message
    (``{"name": "Error", "message": "Name: message"}``), exactly as for the
    JavaScript reference; the engine still recognises a ``NonRetryableError``
    by that prefix (tests/platform/test_error_serialization.py).

    Where the bundle carries ``native.mjs``, the tenant's run is called and
    settled there: Python is not resumed when the run ends, only called when it
    failed (``run_failure_proxy``).
    """

    def __init__(self, prepared: Awaitable[tuple[Any, Any]], step: Any) -> None:
        self._prepared = prepared
        self._step = step

    async def then(self, resolve: Any, reject: Any) -> None:
        try:
            runner, tenant_event_js = await self._prepared
            helper = await native.load()
            if helper is not None:
                helper.forwardRun(
                    runner, tenant_event_js, self._step, resolve, reject, _failure_proxy()
                )
                return
            result = await runner.run(tenant_event_js, self._step)
        except JsException as exc:
            reject(engine_error(getattr(exc, "js_error", exc)))
        except Exception as exc:
            reject(to_js_error(exc))
        else:
            resolve(result)


@cache
def _failure_proxy() -> Any:
    """``_failure`` as a JavaScript function, made once: native.mjs calls it on a failed run."""
    return create_proxy(_failure)


def _failure(name: Any, message: Any) -> Any:
    """What the engine should see for a failed run: ``[name, message]``, or null to pass it on."""
    failure = run_failure(str(name or ""), str(message or ""))
    return jsnull if failure is None else to_js([failure.name, failure.message])


def engine_error(js_error: Any) -> Any:
    """The tenant's JS error as is, or what the engine should see instead (``run_failure``).

    That is the engine's abort line a Python traceback buried, or a Python
    tenant's final exception as a one-line error named after its class; a
    ``NonRetryableError`` keeps that name, so the engine ends the instance as it
    does for a JavaScript tenant's (``WorkflowFatalError``, no traceback stored).
    """
    name = str(getattr(js_error, "name", "") or "")
    message = str(getattr(js_error, "message", "") or "")
    failure = run_failure(name, message)
    if failure is None:
        return js_error
    return named_js_error(failure.name, failure.message)


def _event_fields(event: Any) -> dict[str, Any]:
    """The engine's event as a dict whose values stay JS: the payload is not copied."""
    if not isinstance(event, JsProxy):
        return dict(event)
    fields = {key: getattr(event, key, None) for key in _EVENT_KEYS}
    payload = getattr(event, "payload", None)
    # One level only: metadata and params stay JS values until they are needed.
    fields["payload"] = payload.to_py(depth=1) if isinstance(payload, JsProxy) else payload
    return fields
