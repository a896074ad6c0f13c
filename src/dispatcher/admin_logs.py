"""The admin API's route of a tenant's logs (what the tail and the run route stored)."""

from __future__ import annotations

from typing import Any

from dynamic_workflows import to_js, to_py

from . import cursor, logs
from .admin_query import iso, param
from .config import LOG_LIMITS
from .index_client import index_of
from .respond import json_response
from .store import TenantStore


async def tenant_logs(env: Any, store: TenantStore, tenant: str, params: Any) -> Any:
    """A page of the tenant's logs, newest first (or the entries after ``after``, oldest first)."""
    current = await store.known(tenant)
    query = logs.LogQuery.from_params(lambda name: param(params, name))
    asked = {
        "instance": query.instance,
        "levels": sorted(query.levels),
        "before": query.before,
        "after": query.after,
        "limit": query.limit,
    }
    answer = to_py(await index_of(env, current.uid).logs(to_js(asked)))
    rows = answer["rows"]
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    entries = [_log_entry(row) for row in rows]
    older = more and query.after is None
    return json_response(
        {
            "tenant": tenant,
            "logs": entries,
            "nextCursor": cursor.encode(rows[-1][0], logs.CURSOR_KIND) if older else None,
            "more": more,
            "stored": answer["stats"],
            "limits": {"entries": LOG_LIMITS.entries, "bytes": LOG_LIMITS.bytes},
        }
    )


def _log_entry(row: list[Any]) -> dict[str, Any]:
    seq, at, level, source, instance, name, message = row
    return {
        "seq": int(seq),
        "at": iso(float(at) / 1000),
        "level": level,
        "source": source,
        "instance": instance,
        "name": name,
        "message": message,
    }
