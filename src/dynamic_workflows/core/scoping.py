"""Per-tenant instance ids: the isolation the reference lacks.

Workflow instance ids are one global namespace per Workflow. A tenant's id is
stored as ``<prefix><id>``, where the prefix is derived from the tenant's scope
value (by default ``metadata["tenantId"]``). A tenant only ever names ids
inside its own prefix, so it cannot reach another tenant's instances, and two
tenants may both use ``order-1``. The prefix is a fixed-length hash, so any
scope value works (the engine's id charset is narrow) and prefixing is
injective.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import InvalidInstanceIdError, InvalidMetadataError

DEFAULT_SCOPE_KEY = "tenantId"

#: The engine's rules for an instance id.
ENGINE_ID_MAX_LENGTH = 100
ENGINE_ID_PATTERN = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9_-]*")

_HASH_CHARS = 16
PREFIX_LENGTH = _HASH_CHARS + 1  # hash + "-"

#: How long an id chosen by a tenant may be.
TENANT_ID_MAX_LENGTH = ENGINE_ID_MAX_LENGTH - PREFIX_LENGTH


def check_engine_id(instance_id: object, *, max_length: int = ENGINE_ID_MAX_LENGTH) -> str:
    """Return ``instance_id`` if the engine would accept it, else raise."""
    if not isinstance(instance_id, str):
        raise InvalidInstanceIdError(
            f"instance id must be a string, got {type(instance_id).__name__}."
        )
    if not instance_id or len(instance_id) > max_length:
        raise InvalidInstanceIdError(
            f"instance id must be 1 to {max_length} characters long, "
            f"got {len(instance_id)}: {instance_id[:120]!r}."
        )
    if not ENGINE_ID_PATTERN.fullmatch(instance_id):
        raise InvalidInstanceIdError(
            f"instance id {instance_id!r} may only use letters, digits, '_' and '-', "
            "and must not start with '-'."
        )
    return instance_id


@dataclass(frozen=True, slots=True)
class TenantScope:
    """Maps a tenant's own instance ids to engine ids and back."""

    prefix: str

    @classmethod
    def for_value(cls, value: str | int) -> TenantScope:
        return cls(_prefix_for(value))

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any], scope_key: str) -> TenantScope:
        return cls.for_value(scope_value(metadata, scope_key))

    def scope(self, tenant_id: object) -> str:
        """The engine id for a tenant's id; raises if the tenant's id is invalid."""
        return self.prefix + check_engine_id(tenant_id, max_length=TENANT_ID_MAX_LENGTH)

    def owns(self, engine_id: str) -> bool:
        return engine_id.startswith(self.prefix)

    def unscope(self, engine_id: str) -> str:
        """The tenant's id for one of its engine ids (other ids pass unchanged)."""
        return engine_id[len(self.prefix) :] if self.owns(engine_id) else engine_id

    def new_id(self) -> str:
        """A fresh engine id, for a create() that names none."""
        return self.prefix + uuid4()


@lru_cache(maxsize=4096, typed=True)
def _prefix_for(value: str | int) -> str:
    """Hashed once per tenant: every create, get and run of a tenant needs its prefix."""
    canonical = json.dumps(value, ensure_ascii=False).encode()
    import hashlib  # noqa: PLC0415 - on first use: hashlib costs ~10 ms of a Pyodide cold start

    return hashlib.sha256(canonical).hexdigest()[:_HASH_CHARS] + "-"


def scope_value(metadata: Mapping[str, Any], scope_key: str) -> str | int:
    """The value of ``metadata[scope_key]``, checked to identify a tenant."""
    value = metadata.get(scope_key)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise InvalidMetadataError(
            f"metadata[{scope_key!r}] scopes each tenant's instances and must be a "
            f"non-empty string or an integer, got {value!r}. Put the tenant's id "
            "there, or name another key with scope_key=."
        )
    return value


def uuid4() -> str:
    """A random (version 4) UUID, without ``uuid``, whose import costs ~30 ms in Pyodide."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
