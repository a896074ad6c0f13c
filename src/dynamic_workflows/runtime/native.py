"""Params checks in JavaScript (``native.mjs``), where the worker's bundle has them.

Checking params means seeing all of them: walking 1 MiB of JavaScript params
from Python costs tens of milliseconds of copies, ``native.mjs`` does it in one
native walk. A Python package cannot make its JavaScript an ES module of the
worker by itself: the worker's bundle must carry it (the reference dispatcher's
``wrangler.jsonc`` has an ``ESModule`` rule for ``**/*.mjs``; wrangler turns
files vendored into ``python_modules`` into data, except the SDK's own). Where
it is not there, ``measure`` checks params from Python instead: the same
refusals, slower (``installed()`` says which; a runtime test asserts it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyodide.ffi import JsException

#: Where the module sits in a bundle: the library in the worker's own sources, or vendored.
MODULE_NAMES = (
    "dynamic_workflows/runtime/native.mjs",
    "python_modules/dynamic_workflows/runtime/native.mjs",
)

_state: dict[str, Any] = {"module": None, "tried": False}


async def load() -> Any:
    """The params module, imported once per isolate; None when the bundle lacks it."""
    if not _state["tried"]:
        _state["tried"] = True
        _state["module"] = await _import_first()
    return _state["module"]


def module() -> Any:
    """The params module if ``load()`` found it (None before or without it)."""
    return _state["module"]


def installed() -> bool:
    return _state["module"] is not None


async def _import_first() -> Any:
    return await import_module(MODULE_NAMES, "inspectParams")


async def import_module(names: Sequence[str], export: str) -> Any:
    """The first of ``names`` (paths in the worker's bundle) that the bundle carries as an
    ES module exporting the function ``export``; None when none does."""
    try:
        import _pyodide_entrypoint_helper  # noqa: PLC0415 - the runtime's, as the SDK uses it
    except ImportError:
        return None
    for name in names:
        try:
            loaded = await _pyodide_entrypoint_helper.doAnImport(name)
        except JsException:
            continue
        if callable(getattr(loaded, export, None)):
            return loaded
    return None
