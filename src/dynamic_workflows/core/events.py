"""The event a tenant's ``run`` sees: its own params and its own instance id.

The reference forwards only ``payload``, ``timestamp`` and ``instanceId`` and
leaks nothing else; here ``workflowName`` and the cron ``schedule`` reach the
tenant too, and ``instanceId`` is the id the tenant chose, not the scoped one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidMetadataError
from .scoping import TenantScope

FORWARDED_KEYS = ("timestamp", "workflowName", "schedule")


def tenant_event(
    event: Mapping[str, Any], params: Any, scope: TenantScope | None
) -> dict[str, Any]:
    """Shape the engine's event for the tenant; values pass through untouched."""
    shaped: dict[str, Any] = {"payload": params}
    instance_id = event.get("instanceId")
    if isinstance(instance_id, str):
        shaped["instanceId"] = scope.unscope(instance_id) if scope else instance_id
    for key in FORWARDED_KEYS:
        value = event.get(key)
        if value is not None:
            shaped[key] = value
    return shaped


def run_scope(metadata: Any, scope_key: str | None) -> TenantScope | None:
    """The scope an instance was created under, or None if it was not scoped.

    Instances created by an unscoped binding (or by the JavaScript reference,
    before a migration) carry no scope value and keep their ids as they are.
    """
    if scope_key is None or not isinstance(metadata, Mapping):
        return None
    try:
        return TenantScope.from_metadata(metadata, scope_key)
    except InvalidMetadataError:
        return None


#: How the Workflows engine tells a run to stop (pause, terminate, restart, ...):
#: it rejects the pending step with an Error whose message is exactly this line.
_ENGINE_ABORT = re.compile(r"(Aborting engine: [^\n]+?)\s*\Z")


def engine_abort(message: str) -> str | None:
    """The engine's abort line buried at the end of a tenant error's message, if any.

    The engine recognises its abort by the exact message; a Python tenant's
    traceback wraps it, and the engine would then record the pause as an error.
    """
    match = _ENGINE_ABORT.search(message)
    return match.group(1) if match else None


_TRACEBACK_HEADER = re.compile(
    r"(?P<margin>[ |+]*)(?:Exception Group )?Traceback \(most recent call last\):"
)
_EXCEPTION_LINE = re.compile(r"(?P<type>[A-Za-z_][\w.]*)(?:: (?P<message>.*))?")


@dataclass(frozen=True, slots=True)
class RunFailure:
    """The error the engine should record for a failed run: a JS Error's name and message."""

    name: str
    message: str


def run_failure(name: str, message: str) -> RunFailure | None:
    """What the engine should get for a tenant's failed run, or None to pass the error on as is.

    ``name`` and ``message`` are those of the JS error the tenant's ``run``
    rejected with. In order:

    - the engine's own abort (pause, terminate, restart) buried in a Python
      traceback: exactly the abort line, which the engine recognises by message;
    - a Python tenant's exception (a ``PythonError`` whose message is the
      traceback, its name possibly folded into the message by RPC): the final
      exception only, named after its class without the module
      (``ValueError``, message ``boom``), no frames and no file paths. A
      ``NonRetryableError`` (``workers.workflows`` or any class of that name,
      as the engine goes by name) is named ``NonRetryableError``, so the engine
      ends the instance as it does for a JavaScript tenant's;
    - anything else (a JavaScript tenant's error, the engine's own abort
      message): None, the tenant's error reaches the engine unchanged.
    """
    abort = engine_abort(message)
    if abort is not None:
        return None if abort == message else RunFailure("Error", abort)
    if name != "PythonError" and not message.startswith("PythonError"):
        return None
    final = python_exception(message)
    if final is None:
        return None
    type_name, text = final
    return RunFailure(type_name.rpartition(".")[2], text)


def python_exception(traceback: str) -> tuple[str, str] | None:
    """The final exception of a formatted Python traceback: its type as printed and message.

    ``"PythonError: Traceback ...\\nValueError: boom\\n"`` gives
    ``("ValueError", "boom")``. The final exception is the one printed after
    the last outermost ``Traceback (most recent call last):`` header (chained
    exceptions print theirs first; an exception group prints a margin of
    ``|`` and ``+``, and its own line is kept, not its sub-exceptions'). A
    message of several lines is kept whole (it may end with notes); an
    exception raised without a message gives ``""``. None when there is no
    traceback to read.
    """
    lines = traceback.removeprefix("PythonError: ").splitlines()
    headers = [
        (index, len(match.group("margin")))
        for index, line in enumerate(lines)
        if (match := _TRACEBACK_HEADER.fullmatch(line))
    ]
    if not headers:
        return None
    width = min(margin for _, margin in headers)
    start = max(index for index, margin in headers if margin == width)
    body: list[str] = []
    for line in lines[start + 1 :]:
        margin, text = line[:width], line[width:]
        if margin.strip(" |") or (not body and (not text or text[0].isspace())):
            if body:
                break  # the end of an exception group's own block
            continue  # a frame, its source line or a caret line
        body.append(text)
    if not body or not (match := _EXCEPTION_LINE.fullmatch(body[0])):
        return None
    message = "\n".join([match.group("message") or "", *body[1:]]).rstrip()
    return match.group("type"), message
