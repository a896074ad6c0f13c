"""Inside a Python tenant: the Workflow binding, params checked first, the library's errors.

On the platform ``self.env.WORKFLOWS`` is a ``Workflows`` (``runtime.tenant_env``
makes the SDK's env wrapper hand it out), with the SDK's Workflow binding calls,
so SDK-style code runs unchanged and catches the library's classes::

    from dynamic_workflows import InvalidParamsError, QuotaExceededError

    try:
        instance = await self.env.WORKFLOWS.create({"id": "order-1", "params": {"who": "bob"}})
    except QuotaExceededError as exc:
        ...  # exc.retry_after
    await instance.send_event({"type": "approval", "payload": {"ok": True}})

Params are checked as the Python values they are (``core.rules.check_params``)
before the SDK converts them: a tuple, a set, ``object()``, a dict key that is
not a string or a dict that contains itself is refused with the path, where
the conversion would change it or fail without one. ``Workflows(binding)`` wraps
any Workflow binding the same way (a normal Worker's too), and also takes
``create(id=..., params=...)`` and ``send_event(type, payload)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pyodide.ffi import JsException, JsProxy
from workers import python_from_rpc, python_to_rpc

from .core.errors import error_from_rpc
from .core.rules import check_params

_UNSET: Any = object()


def check_batch(batch: Any) -> None:
    """Check the params of each item of ``create_batch(items)`` (the dispatcher checks the rest)."""
    if isinstance(batch, list):
        for index, item in enumerate(batch):
            if isinstance(item, Mapping) and "params" in item:
                check_params(item["params"], f"batch[{index}].params")


@contextmanager
def library_errors() -> Iterator[None]:
    """Re-raise the dispatcher's errors as their own classes (``InstanceNotFoundError``, ...)."""
    try:
        yield
    except JsException as exc:
        rebuilt = error_from_rpc(str(getattr(exc, "name", "")), str(getattr(exc, "message", "")))
        if rebuilt is None:
            raise
        raise rebuilt from None


class Instance:
    """A workflow instance: its id and the engine's instance methods, as the SDK has them."""

    def __init__(self, handle: Any) -> None:
        self._handle = _unwrapped(handle)
        self.id: str = str(self._handle.id)

    def __repr__(self) -> str:
        return f"Instance(id={self.id!r})"

    async def status(self) -> dict[str, Any]:
        """The engine's status: ``status``, ``output``, ``error``, ... as a dict."""
        return await self._call("status")  # type: ignore[no-any-return]

    async def pause(self) -> None:
        await self._call("pause")

    async def resume(self) -> None:
        await self._call("resume")

    async def terminate(self, options: Mapping[str, Any] | None = None, /, **kw: Any) -> None:
        """Terminate; options (``{"rollback": True}`` or ``rollback=True``) reach the engine."""
        await self._call("terminate", *_options(options, kw))

    async def restart(self, options: Mapping[str, Any] | None = None, /, **kw: Any) -> None:
        await self._call("restart", *_options(options, kw))

    async def send_event(self, event: Any, payload: Any = _UNSET, /) -> None:
        """Send ``{"type": ..., "payload": ...}`` (the SDK's form) or ``(type, payload)``."""
        if isinstance(event, str):
            event = {"type": event, "payload": None if payload is _UNSET else payload}
        elif payload is not _UNSET:
            raise TypeError("send_event takes {'type': ..., 'payload': ...} or (type, payload)")
        await self._call("sendEvent", event)

    async def delete(self) -> None:
        await self._call("delete")

    async def _call(self, name: str, *args: Any) -> Any:
        with library_errors():
            result = await getattr(self._handle, name)(*[python_to_rpc(a) for a in args])
        return python_from_rpc(result)


class Workflows:
    """A Workflow binding (the platform's or a plain one) with the SDK's calls."""

    def __init__(self, binding: Any) -> None:
        self._binding = _unwrapped(binding)

    async def create(self, options: Mapping[str, Any] | None = None, /, **kw: Any) -> Instance:
        """``create({"id": ..., "params": ...})`` or ``create(id=..., params=...)``."""
        if options is None or isinstance(options, Mapping):
            options = {**(options or {}), **kw}
            if "params" in options:
                check_params(options["params"])
        with library_errors():  # anything else: the dispatcher says what create() takes
            return Instance(await self._binding.create(python_to_rpc(options)))

    async def create_batch(self, batch: list[Mapping[str, Any]]) -> list[Instance]:
        check_batch(batch)
        with library_errors():
            handles = await self._binding.createBatch(python_to_rpc(list(batch)))
        return [Instance(handle) for handle in handles]

    async def get(self, id: str) -> Instance:
        with library_errors():
            return Instance(await self._binding.get(id))


def _options(options: Mapping[str, Any] | None, kw: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """One options object from a dict and/or keywords; none at all when both are empty."""
    merged = {**(options or {}), **kw}
    return (merged,) if merged else ()


def _unwrapped(value: Any) -> Any:
    """The JavaScript object behind an SDK wrapper (its ``_binding``), or the value itself."""
    if isinstance(value, JsProxy):  # any attribute of an RPC stub is another stub
        return value
    return getattr(value, "_binding", value)
