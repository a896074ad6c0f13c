"""Which Workflow (shard) a tenant lives on: chosen once, at its first upload, then recorded.

Every shard is a Workflow binding of the same class (``DynamicWorkflow``). A
new tenant is placed by a hash of its random identity over the shards open for
placement; the choice is stored in the tenant's pointer and never recomputed,
so adding a shard (or closing one to new tenants) moves no live instance.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


class ShardError(ValueError):
    """A shard name the dispatcher has no Workflow binding for."""


def place(uid: str, shards: Sequence[str]) -> str:
    """The shard for a new tenant of identity ``uid`` (uniform over ``shards``)."""
    if not shards:
        raise ShardError("no shard is open for new tenants: list one in dispatcher.config")
    digest = hashlib.sha256(uid.encode()).digest()
    return shards[int.from_bytes(digest[:8], "big") % len(shards)]


def recorded(shard: object, known: Sequence[str], legacy: str) -> str:
    """The shard a pointer records; ``legacy`` for pointers written before shards existed."""
    if shard is None:
        return legacy
    if not isinstance(shard, str) or shard not in known:
        raise ShardError(f"tenant recorded on shard {shard!r}, which is not bound: bind it again")
    return shard
