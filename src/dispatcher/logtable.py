"""A tenant's logs in its index object's SQLite storage, bounded.

The index object (``index.TenantIndex``) holds one ``LogTable``: the newest
``LOG_LIMITS.entries`` entries within ``LOG_LIMITS.bytes``; appending past
either bound drops the oldest, and every entry dropped (here, or by the tail's
cap on one invocation) is counted. One append is synchronous SQL, so nothing
interleaves with it. The table belongs to the tenant's identity: a tenant
recreated under a deleted tenant's name starts with an empty one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .config import LOG_LIMITS
from .logs import Entry, LogQuery, keep_newest

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS logs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        level TEXT NOT NULL,
        source TEXT NOT NULL,
        instance TEXT NOT NULL,
        name TEXT NOT NULL,
        message TEXT NOT NULL,
        bytes INTEGER NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS logs_by_instance ON logs (instance, seq)",
)
_COLUMNS = "seq, at, level, source, instance, name, message"


class LogTable:
    """The bounded log store; ``counter`` reads and writes the dropped count (a setting)."""

    def __init__(self, sql: Any, counter: tuple[Callable[[], int], Callable[[int], None]]) -> None:
        self.sql = sql
        self._get_dropped, self._set_dropped = counter
        self._totals: list[int] | None = None  # [entries, bytes], read once per object

    def append(self, entries: Sequence[Entry], dropped_before: int = 0) -> None:
        """Store ``entries`` (oldest first), dropping the oldest past the bounds."""
        kept = keep_newest(list(entries), LOG_LIMITS.entries, LOG_LIMITS.bytes)
        dropped = dropped_before + len(entries) - len(kept)
        totals = self.totals()
        for entry in kept:
            self.sql.exec(
                "INSERT INTO logs (at, level, source, instance, name, message, bytes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                entry.at,
                entry.level,
                entry.source,
                entry.instance or "",
                entry.name or "",
                entry.message,
                entry.size(),
            )
            totals[0] += 1
            totals[1] += entry.size()
        dropped += self._trim(totals)
        if dropped:
            self._set_dropped(self._get_dropped() + dropped)

    def _trim(self, totals: list[int]) -> int:
        """Delete the oldest rows until both bounds hold; how many were deleted."""
        deleted = 0
        while totals[0] > LOG_LIMITS.entries or totals[1] > LOG_LIMITS.bytes:
            oldest = self.sql.exec("SELECT seq, bytes FROM logs ORDER BY seq LIMIT 64").toArray()
            if not len(oldest):
                break
            last = None
            for row in oldest:
                if totals[0] <= LOG_LIMITS.entries and totals[1] <= LOG_LIMITS.bytes:
                    break
                last = int(row.seq)
                totals[0] -= 1
                totals[1] -= int(row.bytes)
                deleted += 1
            if last is not None:
                self.sql.exec("DELETE FROM logs WHERE seq <= ?", last)
        return deleted

    def totals(self) -> list[int]:
        if self._totals is None:
            row = self.sql.exec("SELECT count(*) AS c, coalesce(sum(bytes), 0) AS b FROM logs")
            one = row.one()
            self._totals = [int(one.c), int(one.b)]
        return self._totals

    def page(self, query: LogQuery) -> list[list[Any]]:
        """Rows ``[seq, at, level, source, instance, name, message]`` the query asks for."""
        conditions: list[str] = []
        bindings: list[Any] = []
        if query.instance is not None:
            conditions.append("instance = ?")
            bindings.append(query.instance)
        if query.levels:
            conditions.append(f"level IN ({', '.join('?' for _ in query.levels)})")
            bindings.extend(sorted(query.levels))
        if query.before is not None:
            conditions.append("seq < ?")
            bindings.append(query.before)
        if query.after is not None:
            conditions.append("seq > ?")
            bindings.append(query.after)
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        order = "ASC" if query.after is not None else "DESC"
        rows = self.sql.exec(
            f"SELECT {_COLUMNS} FROM logs {where} ORDER BY seq {order} LIMIT ?",
            *bindings,
            query.limit + 1,
        ).toArray()
        return [
            [r.seq, r.at, r.level, r.source, r.instance or None, r.name or None, r.message]
            for r in rows
        ]

    def stats(self) -> dict[str, int]:
        entries, size = self.totals()
        return {"entries": entries, "bytes": size, "dropped": self._get_dropped()}

    def forget(self) -> None:
        self._totals = None
