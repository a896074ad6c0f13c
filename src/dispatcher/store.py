"""Tenant code in R2, content-addressed by version, and each tenant's identity.

R2 is strongly consistent (a read sees every acknowledged write), so a run
never misses code that was accepted. Code objects are immutable
(``tenants/<tenant>/code/<version>``); an upload adds one and moves the
``current`` pointer, so instances pinned to an older version keep finding it.

A tenant's name can be deleted and given to someone else; its instances must
not follow the name. So the first upload under a name also stores an opaque
random identity (``tenants/<tenant>/uid``) that scopes the tenant's instance
ids and names its isolates; DELETE removes it with the code, and the next
upload under the name gets a new one.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Any

from dynamic_workflows.runtime.convert import is_null, to_js

from .uploads import TenantCode

_CACHE_LIMIT = 256


@dataclass(frozen=True, slots=True)
class Current:
    """A tenant as it is now: its identity and its current code version."""

    uid: str
    version: str


def new_uid() -> str:
    """A fresh tenant identity: opaque, random, never derived from the name."""
    return secrets.token_hex(16)


class TenantStore:
    def __init__(self, bucket: Any) -> None:
        self._bucket = bucket

    async def publish(self, tenant: str, code: TenantCode, uid: str) -> str:
        """Store ``code`` and make it current; ``uid`` is stored if the tenant has none yet."""
        version = code.version
        key = _code_key(tenant, version)
        if is_null(await self._bucket.head(key)):
            await self._bucket.put(key, code.to_json())
        if await self.uid(tenant) != uid:
            await self._bucket.put(_uid_key(tenant), uid)
        await self._bucket.put(_current_key(tenant), version)
        _remember(tenant, version, code)
        return version

    async def uid(self, tenant: str) -> str | None:
        """The tenant's identity, None if there is no tenant of that name."""
        return await self._text(_uid_key(tenant))

    async def current(self, tenant: str) -> Current | None:
        """The tenant's identity and current version, None for an unknown tenant.

        A tenant stored before identities existed has code but no uid: it counts as
        unknown until it is uploaded again.
        """
        uid, version = await asyncio.gather(self.uid(tenant), self._text(_current_key(tenant)))
        return None if uid is None or version is None else Current(uid, version)

    async def _text(self, key: str) -> str | None:
        obj = await self._bucket.get(key)
        return None if is_null(obj) else str(await obj.text())

    async def versions(self, tenant: str) -> list[str]:
        prefix, keys, cursor = f"tenants/{tenant}/code/", [], None
        while True:
            options = {"prefix": prefix} if cursor is None else {"prefix": prefix, "cursor": cursor}
            listed = await self._bucket.list(to_js(options))
            keys += [str(obj.key)[len(prefix) :] for obj in listed.objects]
            if not listed.truncated:
                return sorted(keys)
            cursor = str(listed.cursor)

    async def load(self, tenant: str, version: str) -> TenantCode | None:
        cached = _CODE.get((tenant, version))
        if cached is not None:
            return cached
        obj = await self._bucket.get(_code_key(tenant, version))
        if is_null(obj):
            return None
        code = TenantCode.from_json(str(await obj.text()))
        _remember(tenant, version, code)
        return code

    async def delete(self, tenant: str) -> int:
        keys = [_code_key(tenant, v) for v in await self.versions(tenant)]
        keys += [_current_key(tenant), _uid_key(tenant)]
        await self._bucket.delete(to_js(keys))
        for key in [k for k in _CODE if k[0] == tenant]:
            del _CODE[key]
        return len(keys) - 2


#: Loaded code by (tenant, version): versions are immutable, so this never goes stale.
_CODE: dict[tuple[str, str], TenantCode] = {}


def _remember(tenant: str, version: str, code: TenantCode) -> None:
    if len(_CODE) >= _CACHE_LIMIT:
        del _CODE[next(iter(_CODE))]
    _CODE[(tenant, version)] = code


def _code_key(tenant: str, version: str) -> str:
    return f"tenants/{tenant}/code/{version}"


def _current_key(tenant: str) -> str:
    return f"tenants/{tenant}/current"


def _uid_key(tenant: str) -> str:
    return f"tenants/{tenant}/uid"
