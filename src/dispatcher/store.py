"""Tenant code in R2, content-addressed by version, and each tenant's identity.

R2 is strongly consistent (a read sees every acknowledged write), so a run
never misses code that was accepted. Code objects are immutable
(``tenants/<tenant>/code/<version>``); an upload adds one and moves the
``current`` pointer, so instances pinned to an older version keep finding it.

A tenant's name can be deleted and given to someone else; its instances must
not follow the name. So the first upload under a name also makes an opaque
random identity that scopes the tenant's instance ids and names its isolates;
it is stored with the ``current`` pointer (``tenants/<tenant>/current``, JSON
``{"uid", "version", "shard"}``, one read), DELETE removes both with the code, and the
next upload under the name gets a new identity. ``shard`` is the Workflow binding
the tenant was placed on at its first upload (``dispatcher.shards``): every
create, get and run of the tenant uses it, so its instances are always found
again; a pointer written before shards existed means ``config.LEGACY_SHARD``.

The pointer is only ever written on a condition (R2 ``onlyIf``): the first one
only if there is none yet (``etagDoesNotMatch: "*"``), every later one only if it is
still the one just read (``etagMatches``), keeping the identity and shard it holds.
So concurrent first uploads of a name agree on one identity and one shard (the
first write wins; the others publish their code under it), and an upload racing a
``DELETE`` either lands before it or makes a new identity, never the old one again.

Every tenant request and every run needs the pointer, so an isolate keeps what
it read for ``POINTER_TTL`` seconds. Uploads and deletes through an isolate
update its copy at once; another isolate of the dispatcher may serve the
previous version (or a deleted tenant) for at most that long. Code versions are
immutable and cached without expiry.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dynamic_workflows import is_null, to_js

from . import routing
from .config import LEGACY_SHARD, OPEN_SHARDS, SHARDS
from .http import RequestError
from .shards import place, recorded
from .uploads import TenantCode

_CACHE_LIMIT = 256
#: How many times ``publish`` reads and conditionally writes the pointer before giving up
#: (each failed write means another upload or a delete of the tenant landed meanwhile).
PUBLISH_ATTEMPTS = 64
#: How long an isolate trusts the ``current`` pointer it read (see the module docstring).
POINTER_TTL = 1.0


@dataclass(frozen=True, slots=True)
class Current:
    """A tenant as it is now: its identity and its current code version."""

    uid: str
    version: str
    shard: str


class PublishConflictError(RuntimeError):
    """The tenant changed under a pointer write (409): the request should be sent again."""


def new_uid() -> str:
    """A fresh tenant identity: opaque, random, never derived from the name."""
    return secrets.token_hex(16)


class TenantStore:
    def __init__(self, bucket: Any) -> None:
        self._bucket = bucket

    async def publish(
        self, tenant: str, code: TenantCode, uid: str, shard: str, *, seen_uid: str | None
    ) -> Current:
        """Store ``code`` and make it current; the tenant as stored.

        A tenant that exists keeps its identity and shard, whatever the caller proposed.
        A new one gets ``uid`` and ``shard`` when the caller saw no tenant
        (``seen_uid`` None), else a fresh identity: the one the caller saw was deleted
        meanwhile and must not come back. ``PublishConflictError`` when the pointer
        changed under every one of ``PUBLISH_ATTEMPTS`` writes.
        """
        version = code.version
        key = _code_key(tenant, version)
        if is_null(await self._bucket.head(key)):
            await self._bucket.put(key, code.to_json())

        def decide(existing: Current | None) -> Current:
            if existing is not None:
                return Current(existing.uid, version, existing.shard)
            if seen_uid is None:
                return Current(uid, version, shard)
            fresh = new_uid()  # the tenant the caller saw was deleted: never its identity again
            return Current(fresh, version, place(fresh, OPEN_SHARDS))

        return await self._write_pointer(tenant, code, decide)

    async def point(self, tenant: str, current: Current, code: TenantCode) -> Current:
        """Make ``current`` the tenant's pointer (its code, ``code``, is already stored): a
        rollback to an earlier version, only while the tenant still has that identity
        (``PublishConflictError`` if it was deleted or uploaded anew meanwhile)."""

        def decide(existing: Current | None) -> Current:
            if existing is None or existing.uid != current.uid:
                raise PublishConflictError(
                    f"tenant {tenant!r} was deleted or uploaded anew meanwhile: read it again"
                )
            return Current(existing.uid, current.version, existing.shard)

        return await self._write_pointer(tenant, code, decide)

    async def _write_pointer(
        self, tenant: str, code: TenantCode, decide: Callable[[Current | None], Current]
    ) -> Current:
        """Write the pointer ``decide(the tenant as read)`` gives, on the condition that
        the pointer is still what was read; read again and retry otherwise."""
        key = _current_key(tenant)
        for _ in range(PUBLISH_ATTEMPTS):
            stored = await self._bucket.get(key)
            existing = None if is_null(stored) else _pointer(str(await stored.text()))
            current = decide(existing)
            condition = (
                {"etagDoesNotMatch": "*"} if is_null(stored) else {"etagMatches": stored.etag}
            )
            pointer = json.dumps(
                {"uid": current.uid, "version": current.version, "shard": current.shard},
                separators=(",", ":"),
            )
            if not is_null(await self._bucket.put(key, pointer, to_js({"onlyIf": condition}))):
                _remember(tenant, current.version, code)
                _POINTERS[tenant] = (current, time.monotonic() + POINTER_TTL)
                return current
        raise PublishConflictError(
            f"tenant {tenant!r} changed {PUBLISH_ATTEMPTS} times while this upload was being "
            "stored (other uploads or a delete): send it again"
        )

    async def tenants(self, cursor: str | None, limit: int) -> tuple[list[str], str | None]:
        """A page of tenant names (in R2's key order) and the cursor of the next, or None."""
        options: dict[str, Any] = {"prefix": _TENANTS, "delimiter": "/", "limit": limit}
        if cursor is not None:
            options["cursor"] = cursor
        listed = await self._bucket.list(to_js(options))
        names = [str(prefix)[len(_TENANTS) : -1] for prefix in listed.delimitedPrefixes]
        return names, str(listed.cursor) if listed.truncated else None

    async def uid(self, tenant: str) -> str | None:
        """The tenant's identity, None if there is no tenant of that name."""
        current = await self.current(tenant)
        return None if current is None else current.uid

    async def current(self, tenant: str) -> Current | None:
        """The tenant's identity and current version, None for an unknown tenant.

        A tenant stored before identities existed (a bare version as its pointer)
        counts as unknown until it is uploaded again.
        """
        cached = _POINTERS.get(tenant)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        text = await routing.read_text(self._bucket, _current_key(tenant))
        current = None if text is None else _pointer(text)
        if len(_POINTERS) >= _CACHE_LIMIT:
            del _POINTERS[next(iter(_POINTERS))]
        _POINTERS[tenant] = (current, time.monotonic() + POINTER_TTL)
        return current

    async def known(self, tenant: str) -> Current:
        """``current``, or ``RequestError(404)`` naming the tenant (the admin API's answer)."""
        current = await self.current(tenant)
        if current is None:
            raise RequestError(404, f"unknown tenant {tenant!r}")
        return current

    @staticmethod
    def cached(tenant: str, version: str) -> tuple[Current | None, TenantCode] | None:
        """The pointer and the code of ``version`` if this isolate has both (and may trust
        the pointer still), without reading: None when either must be read."""
        pointer, code = _POINTERS.get(tenant), _CODE.get((tenant, version))
        if pointer is None or code is None or pointer[1] <= time.monotonic():
            return None
        return pointer[0], code

    async def versions(self, tenant: str) -> list[str]:
        return sorted(version for version, _ in await self.history(tenant))

    async def history(self, tenant: str) -> list[tuple[str, str]]:
        """Each stored version and when it was first uploaded (ISO 8601), oldest first."""
        prefix, found, cursor = f"tenants/{tenant}/code/", [], None
        while True:
            options = {"prefix": prefix} if cursor is None else {"prefix": prefix, "cursor": cursor}
            listed = await self._bucket.list(to_js(options))
            found += [
                (str(obj.key)[len(prefix) :], str(obj.uploaded.toISOString()))
                for obj in listed.objects
            ]
            if not listed.truncated:
                return sorted(found, key=lambda item: (item[1], item[0]))
            cursor = str(listed.cursor)

    async def load(self, tenant: str, version: str) -> TenantCode | None:
        cached = _CODE.get((tenant, version))
        if cached is not None:
            return cached
        text = await routing.read_text(self._bucket, _code_key(tenant, version))
        if text is None:
            return None
        code = TenantCode.from_json(text)
        _remember(tenant, version, code)
        return code

    async def delete(self, tenant: str) -> int:
        keys = [_code_key(tenant, v) for v in await self.versions(tenant)]
        keys.append(_current_key(tenant))
        await self._bucket.delete(to_js(keys))
        for key in [k for k in _CODE if k[0] == tenant]:
            del _CODE[key]
        _POINTERS[tenant] = (None, time.monotonic() + POINTER_TTL)
        return len(keys) - 1


#: Loaded code by (tenant, version): versions are immutable, so this never goes stale.
_CODE: dict[tuple[str, str], TenantCode] = {}
#: Each tenant's pointer as this isolate last read or wrote it, and until when to trust it.
_POINTERS: dict[str, tuple[Current | None, float]] = {}


def _pointer(text: str) -> Current | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None  # a bare version: stored before tenant identities
    if not isinstance(data, dict) or not isinstance(data.get("uid"), str):
        return None
    return Current(
        data["uid"], str(data["version"]), recorded(data.get("shard"), SHARDS, LEGACY_SHARD)
    )


def _remember(tenant: str, version: str, code: TenantCode) -> None:
    if len(_CODE) >= _CACHE_LIMIT:
        del _CODE[next(iter(_CODE))]
    _CODE[(tenant, version)] = code


_TENANTS = "tenants/"


def _code_key(tenant: str, version: str) -> str:
    return f"tenants/{tenant}/code/{version}"


def _current_key(tenant: str) -> str:
    return f"tenants/{tenant}/current"
