"""The library's JavaScript module (``library.mjs``), as the worker's bundle carries it.

The binding checks params and turns the engine's answers into handles in JavaScript
(``library.mjs``): walking 1 MiB of JavaScript params from Python costs tens of
milliseconds, and awaiting the engine from Python a turn of the isolate. A Python
package cannot make its JavaScript an ES module of the worker by itself (wrangler
turns files vendored into ``python_modules`` into data), so the worker's sources
carry it under one name, ``dynamic_workflows.mjs``, with an ``ESModule`` rule: a
link to the library's file (docs/library.md, "The JavaScript module"). It is
imported with the SDK's ``import_from_javascript``.

There is no second path without it: the binding then refuses every call with
``DispatcherInternalError``, its log says how to add the module, and the registry
(``javascript-module``) says why. JavaScript tenants also get the module's source
(``source()``, the library's file read as data) to check params before their call
leaves their isolate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workers import import_from_javascript

from ..core.details import record_detail
from ..core.rules import rules_for_javascript
from .convert import to_js

#: The module's name in the worker's bundle.
MODULE_NAME = "dynamic_workflows.mjs"
DETAIL = "javascript-module"
TENANT_DETAIL = "tenant-params-guard"
_state: dict[str, Any] = {"module": None, "reason": None, "forced": None}
_source: dict[str, Any] = {"text": None, "forced": None}


class MissingJavaScriptModuleError(RuntimeError):
    """The bundle does not carry the library's JavaScript module; the message says how to."""


def module() -> Any:
    """The module, imported and configured once per isolate; raises without it."""
    if _state["module"] is None and _state["reason"] is None:
        _load()
    if _state["module"] is None:
        raise MissingJavaScriptModuleError(
            f"dynamic-workflows: this worker cannot import {MODULE_NAME} ({_state['reason']}). "
            f"Link it next to the main module (ln -s <the library>/runtime/library.mjs "
            f'{MODULE_NAME}) and give it a rule: {{"type": "ESModule", "globs": '
            f'["{MODULE_NAME}"]}} (docs/library.md, "The JavaScript module")'
        )
    return _state["module"]


def _load() -> None:
    try:
        if _state["forced"] is not None:
            raise ImportError(_state["forced"])
        loaded = import_from_javascript(MODULE_NAME)
        if not callable(getattr(loaded, "checkParams", None)):
            raise ImportError(f"{MODULE_NAME} is not the library's module")
    except ImportError as exc:
        _state["module"], _state["reason"] = None, str(exc)
        record_detail(DETAIL, False, _state["reason"])
        return
    loaded.configure(to_js(rules_for_javascript()))
    _state["module"], _state["reason"] = loaded, None
    record_detail(DETAIL, True)


def force_fallback(reason: str | None) -> None:
    """Tests only: act as if the module were missing (``reason``), or import it again (None)."""
    _state.update(module=None, reason=None, forced=reason)
    _load()


def source() -> str | None:
    """The module's source, for JavaScript tenants; None where the bundle hides it."""
    if _source["text"] is None or _source["forced"] is not None:
        try:
            if _source["forced"] is not None:
                raise OSError(_source["forced"])
            _source["text"] = Path(__file__).with_name("library.mjs").read_text()
        except OSError as exc:
            record_detail(TENANT_DETAIL, False, f"library.mjs is not readable as data: {exc}")
            return None
        record_detail(TENANT_DETAIL, True)
    return str(_source["text"])


def force_source_fallback(reason: str | None) -> None:
    """Tests only: act as if the source were not readable (``reason``), or read it (None)."""
    _source.update(text=None, forced=reason)
    source()
