"""Each tenant's instance index and quotas: a Durable Object with SQLite storage.

One object per tenant identity (``idFromName(tenantUid)``), so a tenant
recreated under a deleted tenant's name starts with an empty index. Every
wrapped ``create``/``createBatch`` reserves its instances here first
(``admission.IndexAdmission``, the library's admission hook):

1. ``reserve``: one synchronous method of the object (no ``await`` inside, so
   nothing interleaves) checks both quotas (``quota.admit``) and inserts the
   instances as ``reserved``; a refusal inserts nothing and takes no tokens.
2. the binding calls the engine;
3. when the engine refused, the binding cancels the reservation and the rows
   are deleted (``settle``), so the index never holds a refused instance. When
   it created them, nothing is called (the library does not report success):
   the rows are already counted and listed as they should be.

So rows stay ``reserved`` until a re-check (a create at the cap, a listing, a
delete) settles them on what the engine says: an instance it has becomes
``created``; one it does not have, once older than ``STALE_RESERVATION_S``, is
dropped. That is also what happens when the dispatcher dies between 1 and 3.

Finished instances are learnt lazily: a listing records the final statuses it
reads (``index_client.statuses``), and a create refused at the unfinished cap
first re-checks the ``RECHECK_AT_CAP`` least recently checked unfinished
instances with the engine, then tries once more.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, cast

from js import Date
from workers import DurableObject

from dynamic_workflows import QuotaExceededError, RpcSurface, raw_rpc_arguments, to_js, to_py

from . import logtable
from .config import DEFAULT_QUOTA, RECHECK_AT_CAP, STALE_RESERVATION_S
from .index_client import FINAL, MISSING
from .logs import LogQuery, normalise
from .quota import Bucket, Quota, admit

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS instances (
        n INTEGER PRIMARY KEY AUTOINCREMENT,
        engine_id TEXT NOT NULL,
        id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        version TEXT NOT NULL,
        created_at REAL NOT NULL,
        state TEXT NOT NULL,
        status TEXT,
        checked_at REAL NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX IF NOT EXISTS unfinished ON instances (state, checked_at)",
    "CREATE INDEX IF NOT EXISTS by_engine_id ON instances (engine_id)",
    "CREATE TABLE IF NOT EXISTS settings (k TEXT PRIMARY KEY, v TEXT NOT NULL)",
)
_COLUMNS = "n, engine_id, id, tenant, version, created_at, state, status"


def _now() -> float:
    return float(Date.now()) / 1000


class TenantIndex(DurableObject):  # type: ignore[no-untyped-call]
    """One tenant's instances (newest first by row number) and its quota state.

    Every method is synchronous SQL inside an ``async def``: each runs to its end
    before the object takes another call. The quota and the token bucket are
    kept in memory too (this object is their only writer), so a create reads
    only the unfinished count.

    workerd gets an ``RpcSurface`` of the methods in ``RPC_METHODS``: their
    arguments arrive as JavaScript values (one ``to_py`` here, not the SDK's
    conversions) and their results go back as JavaScript.
    """

    RPC_METHODS = (
        "reserve", "settle", "observe", "page", "entry", "quota", "set_quota", "close",
        "clear", "append_logs", "logs",
    )  # fmt: skip

    def __new__(cls, ctx: Any, env: Any = None) -> TenantIndex:
        raw_rpc_arguments()
        index = object.__new__(cls)
        index.__init__(ctx, env)  # type: ignore[misc]  # the SDK's wrapped __init__
        methods = {name: _in_js(getattr(index, name)) for name in cls.RPC_METHODS}
        return cast(TenantIndex, RpcSurface(methods))

    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        self.storage = ctx.storage
        self.sql = ctx.storage.sql
        self._create_tables()
        self._settings: dict[str, Any] = {}
        self.log_table = logtable.LogTable(
            self.sql, (lambda: int(self._get("logs_dropped") or 0), self._set_dropped)
        )

    def _create_tables(self) -> None:
        for statement in (*_SCHEMA, *logtable.SCHEMA):
            self.sql.exec(statement)
        columns = self.sql.exec("SELECT * FROM instances LIMIT 0").columnNames
        if "changed_at" not in list(columns):
            # When the index last saw the instance's status change (added after the table).
            self.sql.exec("ALTER TABLE instances ADD COLUMN changed_at REAL")

    async def reserve(self, request: Any) -> dict[str, Any]:
        """Check the quotas for ``request["items"]`` and insert them, or say why not."""
        if self._get("closed"):
            return {
                "ok": False,
                "closed": True,
                "message": f"tenant {request['tenant']!r} is being deleted: nothing was created",
            }
        items = list(request["items"])
        now = _now()
        unfinished = self._one("SELECT count(*) AS c FROM instances WHERE state != 'finished'")
        try:
            bucket = admit(self._quota(), self._bucket(now), int(unfinished), len(items), now)
        except QuotaExceededError as exc:
            refusal: dict[str, Any] = {
                "ok": False,
                "quota": exc.quota,
                "limit": exc.limit,
                "retryAfter": exc.retry_after,
                "message": str(exc),
            }
            if exc.quota == "max_unfinished":
                refusal["check"] = self._rows(
                    "SELECT " + _COLUMNS + " FROM instances WHERE state != 'finished' "
                    "ORDER BY checked_at, n LIMIT ?",
                    RECHECK_AT_CAP,
                )
            return refusal
        self._set("bucket", {"tokens": bucket.tokens, "at": bucket.at})
        rows = []
        for engine_id, instance_id in items:
            cursor = self.sql.exec(
                "INSERT INTO instances (engine_id, id, tenant, version, created_at, state, "
                "checked_at) VALUES (?, ?, ?, ?, ?, 'reserved', ?) RETURNING n",
                engine_id,
                instance_id,
                request["tenant"],
                request["version"],
                now,
                now,
            )
            rows.append(int(cursor.one().n))
        return {"ok": True, "rows": rows}

    async def settle(self, rows: list[int], created: bool) -> None:
        """The engine's answer to a reservation: keep the rows as created, or drop them."""
        for row in rows:
            if created:
                self.sql.exec(
                    "UPDATE instances SET state = 'created' WHERE n = ? AND state = 'reserved'",
                    row,
                )
            else:
                self.sql.exec("DELETE FROM instances WHERE n = ?", row)

    async def observe(self, seen: list[list[Any]], cut_off_before: float | None = None) -> None:
        """Record what the engine said of rows: ``[row, status]``, ``MISSING`` if unknown.

        A reservation the engine does not know is dropped once it is
        ``STALE_RESERVATION_S`` old, or at once if made before ``cut_off_before`` (the
        dispatcher that made it has stopped since: a dev-server restart).
        """
        now = _now()
        stale = max(now - STALE_RESERVATION_S, cut_off_before or 0.0)
        for row, status in seen:
            if status == MISSING:
                # Never created (a reservation whose create did not happen), or deleted.
                self.sql.exec(
                    "DELETE FROM instances WHERE n = ? AND (state != 'reserved' OR created_at < ?)",
                    row,
                    stale,
                )
                continue
            state = "finished" if status in FINAL else "created"
            self.sql.exec(
                "UPDATE instances SET state = ?, checked_at = ?, "
                "changed_at = CASE WHEN status IS ? THEN changed_at ELSE ? END, status = ? "
                "WHERE n = ?",
                state,
                now,
                status,
                now,
                status,
                row,
            )

    async def page(
        self,
        before: int | None,
        limit: int,
        unfinished_only: bool,
        created_from: float | None = None,
        created_before: float | None = None,
    ) -> list[Any]:
        """Up to ``limit`` rows, newest first, with row numbers below ``before`` (and created
        from ``created_from`` and before ``created_before``, in seconds, when given)."""
        conditions, bindings = [], []
        for condition, value in (
            ("n < ?", before),
            ("created_at >= ?", created_from),
            ("created_at < ?", created_before),
        ):
            if value is not None:
                conditions.append(condition)
                bindings.append(value)
        if unfinished_only:
            conditions.append("state != 'finished'")
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        return self._rows(
            f"SELECT {_COLUMNS} FROM instances {where} ORDER BY n DESC LIMIT ?", *bindings, limit
        )

    async def entry(self, engine_id: str) -> list[Any] | None:
        """The row of ``engine_id`` and when its status last changed, None if not indexed."""
        rows = self.sql.exec(
            f"SELECT {_COLUMNS}, changed_at FROM instances WHERE engine_id = ? "
            "ORDER BY n DESC LIMIT 1",
            engine_id,
        ).toArray()
        if not len(rows):
            return None
        row = rows[0]
        values = [row.n, row.engine_id, row.id, row.tenant, row.version, row.created_at]
        return [*values, row.state, row.status, row.changed_at]

    async def quota(self) -> dict[str, Any]:
        unfinished = self._one("SELECT count(*) AS c FROM instances WHERE state != 'finished'")
        return {"quota": self._quota().to_json(), "unfinished": int(unfinished)}

    async def set_quota(self, body: dict[str, Any]) -> dict[str, Any]:
        quota = Quota.from_json(body, DEFAULT_QUOTA)
        self._set("quota", quota.to_json())
        return await self.quota()

    async def close(self) -> None:
        """Admit no create from now on, whichever isolate asks (the tenant is being deleted)."""
        self._set("closed", True)

    async def clear(self) -> None:
        """Forget everything (the tenant is deleted); a closed index stays closed, so an
        isolate that still trusts the deleted tenant's pointer creates nothing through it."""
        closed = bool(self._get("closed"))
        self._settings.clear()
        self.log_table.forget()
        await self.storage.deleteAll()
        self._create_tables()
        if closed:
            self._set("closed", True)

    async def append_logs(self, batch: dict[str, Any]) -> None:
        """Store a batch of the tenant's log entries: ``{"entries": [...], "dropped": n}``;
        none once the tenant is deleted (a tail event or batch that arrives after the clear)."""
        if self._get("closed"):
            return
        now = _now() * 1000
        entries = [normalise(raw, now) for raw in batch.get("entries") or []]
        self.log_table.append(entries, int(batch.get("dropped") or 0))

    async def logs(self, query: dict[str, Any]) -> dict[str, Any]:
        """A page of the tenant's logs (``LogQuery`` fields) and the store's counts."""
        levels = frozenset(query.pop("levels", None) or ())
        rows = self.log_table.page(LogQuery(levels=levels, **query))
        return {"rows": rows, "stats": self.log_table.stats()}

    def _set_dropped(self, count: int) -> None:
        self._set("logs_dropped", count)

    def _quota(self) -> Quota:
        stored = self._get("quota")
        return DEFAULT_QUOTA if stored is None else Quota(**stored)

    def _bucket(self, now: float) -> Bucket:
        stored = self._get("bucket")
        return Bucket.full(self._quota(), now) if stored is None else Bucket(**stored)

    def _get(self, key: str) -> Any:
        if key not in self._settings:
            rows = self.sql.exec("SELECT v FROM settings WHERE k = ?", key).toArray()
            self._settings[key] = json.loads(str(rows[0].v)) if len(rows) else None
        return self._settings[key]

    def _set(self, key: str, value: Any) -> None:
        self.sql.exec(
            "INSERT OR REPLACE INTO settings (k, v) VALUES (?, ?)",
            key,
            json.dumps(value),
        )
        self._settings[key] = value

    def _one(self, query: str, *bindings: Any) -> Any:
        return self.sql.exec(query, *bindings).one().c

    def _rows(self, query: str, *bindings: Any) -> list[Any]:
        return [
            [r.n, r.engine_id, r.id, r.tenant, r.version, r.created_at, r.state, r.status]
            for r in self.sql.exec(query, *bindings).toArray()
        ]


def _in_js(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``method`` on Python values of its JavaScript arguments, answering in JavaScript."""

    async def call(*args: Any) -> Any:
        return to_js(await method(*(to_py(arg) for arg in args)))

    return call
