"""The tenant-side facade: a Pythonic Workflow binding for Python tenants.

A Python tenant wraps ``env.WORKFLOWS`` (the dispatcher's wrapped binding) once
and then works with Python values only::

    workflows = Workflows(self.env.WORKFLOWS)
    instance = await workflows.create(id="order-1", params={"who": "bob"})
    print(instance.id, (await instance.status())["status"])

It needs only ``runtime.convert`` (``js`` and ``pyodide``); the dispatcher adds
the library to every Python tenant's modules, so tenants never bundle it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pyodide.ffi import JsException

from .core.errors import error_from_rpc
from .runtime.convert import to_js, to_py


class Instance:
    """A workflow instance: its id and the engine's instance methods."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self.id: str = _field(handle, "id")

    def __repr__(self) -> str:
        return f"Instance(id={self.id!r})"

    async def status(self) -> dict[str, Any]:
        return await self._call("status")  # type: ignore[no-any-return]

    async def pause(self) -> None:
        await self._call("pause")

    async def resume(self) -> None:
        await self._call("resume")

    async def terminate(self, **options: Any) -> None:
        """Terminate; options (for example ``rollback=True``) reach the engine."""
        await self._call("terminate", options or None)

    async def restart(self, **options: Any) -> None:
        await self._call("restart", options or None)

    async def send_event(self, type: str, payload: Any = None) -> None:
        await self._call("sendEvent", {"type": type, "payload": payload})

    async def delete(self) -> None:
        await self._call("delete")

    async def _call(self, name: str, *args: Any) -> Any:
        js_args = [to_js(arg) for arg in args if arg is not None]
        with _library_errors():
            return to_py(await _field(self._handle, name)(*js_args))


class Workflows:
    """The wrapped Workflow binding, with Python values in and out."""

    def __init__(self, binding: Any) -> None:
        self._binding = binding

    async def create(
        self, *, id: str | None = None, params: Any = None, **options: Any
    ) -> Instance:
        """Create an instance; ``id`` and any other option reach the engine."""
        if id is not None:
            options["id"] = id
        options["params"] = params
        with _library_errors():
            return Instance(await self._binding.create(to_js(options)))

    async def create_batch(self, batch: list[dict[str, Any]]) -> list[Instance]:
        with _library_errors():
            handles = await self._binding.createBatch(to_js(batch))
        return [Instance(handle) for handle in handles]

    async def get(self, id: str) -> Instance:
        with _library_errors():
            return Instance(await self._binding.get(id))


@contextmanager
def _library_errors() -> Iterator[None]:
    """Re-raise the dispatcher's errors as their own classes (``InstanceNotFoundError``, ...)."""
    try:
        yield
    except JsException as exc:
        rebuilt = error_from_rpc(str(getattr(exc, "name", "")), str(getattr(exc, "message", "")))
        if rebuilt is None:
            raise
        raise rebuilt from None


def _field(handle: Any, name: str) -> Any:
    """Read a handle's field whether the SDK already turned it into a dict or not."""
    return handle[name] if isinstance(handle, dict) else getattr(handle, name)
