"""A tenant's log entries as the dispatcher keeps them: what one entry holds, and how to ask.

Pure (no ``js``), so it is tested on CPython. Entries are made in JavaScript by
the dispatcher's tail of each tenant worker and by the run observer
(``tail.mjs``), stored by the tenant's index object (``logtable``) through
``normalise``, and read back through ``LogQuery`` (``GET
/admin/tenants/<t>/logs``). Everything in an entry but ``tenant`` came from the
tenant's code, so it is bounded here, and the tenant's identity is never read
from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dynamic_workflows.core.events import python_exception

from . import cursor
from .config import LOG_LIMITS
from .http import MAX_SAFE_INTEGER, parse_whole

#: Levels as workerd reports a console call, lowest first.
LEVELS = ("debug", "log", "info", "warn", "error")
#: What an entry came from: the tenant's fetch, a Workflow run, another RPC call or event of
#: its worker, an operator's action, or the dispatcher recording what the tenant could not.
SOURCES = frozenset({"fetch", "run", "rpc", "event", "admin", "dispatcher"})
#: The longest name (an exception's class) and instance id kept.
MAX_NAME = 200
MAX_INSTANCE = 100
#: The cursor kind of a logs page (``cursor.encode``).
CURSOR_KIND = "l1"
MAX_PAGE = 200


class LogQueryError(ValueError):
    """A logs query the API refuses (400): the message says which parameter to fix."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One log line or exception of a tenant's code, bounded."""

    at: float  # milliseconds since the epoch
    level: str
    source: str
    instance: str | None
    name: str | None
    message: str

    def size(self) -> int:
        """Bytes it counts against the tenant's store (its text as UTF-8, plus a row's worth)."""
        text = self.message + (self.name or "") + (self.instance or "")
        return len(text.encode()) + 64


def normalise(raw: Mapping[str, Any], now_ms: float) -> Entry:
    """An entry from what the tail sent: unknown levels and sources named as such, text cut.

    A Python tenant's exception arrives as ``PythonError`` with the traceback as
    its message: its name becomes the final exception's class (the traceback is kept).
    """
    level = str(raw.get("level") or "log")
    source = str(raw.get("source") or "event")
    name = raw.get("name")
    message = cut(str(raw.get("message") or ""), LOG_LIMITS.message_bytes)
    if name == "PythonError":
        final = python_exception(message)
        if final is not None:
            name = final[0].rpartition(".")[2]
    at = raw.get("at")
    return Entry(
        at=float(at) if isinstance(at, int | float) and math.isfinite(at) else now_ms,
        level=level if level in LEVELS else "log",
        source=source if source in SOURCES else "event",
        instance=_short(raw.get("instance"), MAX_INSTANCE),
        name=_short(name, MAX_NAME),
        message=message,
    )


def cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` UTF-8 bytes, saying how much was cut."""
    data = text.encode()
    if len(data) <= limit:
        return text
    note = f" … [{len(data) - limit} bytes cut]"
    kept = data[: max(0, limit - len(note.encode()))].decode(errors="ignore")
    return kept + note


def _short(value: Any, limit: int) -> str | None:
    if value is None or value == "":
        return None
    return cut(str(value), limit)


def keep_newest(entries: list[Entry], max_entries: int, max_bytes: int) -> list[Entry]:
    """The newest entries of one batch that fit in the store by themselves (oldest dropped)."""
    kept: list[Entry] = []
    total = 0
    for entry in reversed(entries):
        if len(kept) == max_entries or total + entry.size() > max_bytes:
            break
        kept.append(entry)
        total += entry.size()
    kept.reverse()
    return kept


@dataclass(frozen=True, slots=True)
class LogQuery:
    """``GET /admin/tenants/<t>/logs``: newest first from ``before`` (a cursor), or the
    entries after ``after`` (a ``seq``, oldest first: how ``logs --follow`` polls)."""

    instance: str | None = None
    levels: frozenset[str] = frozenset()
    before: int | None = None
    after: int | None = None
    limit: int = 50

    @classmethod
    def from_params(cls, get: Callable[[str], str | None]) -> LogQuery:
        levels = frozenset(level for level in (get("level") or "").split(",") if level)
        if levels - set(LEVELS):
            raise LogQueryError(f"level must be among {list(LEVELS)} (comma-separated)")
        limit_text = get("limit")
        if limit_text is None or limit_text == "":
            limit = 50
        else:
            parsed = parse_whole(limit_text, 1, MAX_PAGE)
            if parsed is None:
                raise LogQueryError(f"limit must be a whole number from 1 to {MAX_PAGE}")
            limit = parsed
        given = get("cursor")
        after_text = get("after")
        if given and after_text:
            raise LogQueryError("pass cursor (older entries) or after (newer ones), not both")
        after = None
        if after_text:
            after = parse_whole(after_text, 0, MAX_SAFE_INTEGER)
            if after is None:
                raise LogQueryError("after must be the seq of an entry (a whole number)")
        instance = get("instance") or None
        if instance is not None and len(instance) > MAX_INSTANCE:
            raise LogQueryError(f"instance must be at most {MAX_INSTANCE} characters")
        return cls(
            instance=instance,
            levels=levels,
            before=cursor.decode(given, CURSOR_KIND) if given else None,
            after=after,
            limit=limit,
        )
