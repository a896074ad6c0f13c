"""Checks at the edge, so bad input fails before anything is persisted: metadata, create
options and batches (params: ``core.rules``).

The reference passes anything through: a batch of 101 items reaches the engine,
metadata that is not JSON is stored as something else. Here every create input is
checked first and rejected with an error that names the problem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .envelope import METADATA_KEY, PARAMS_KEY
from .errors import (
    InvalidBatchError,
    InvalidCreateOptionsError,
    InvalidMetadataError,
)
from .rules import MAX_PAYLOAD_BYTES, MAX_SAFE_INTEGER
from .scoping import scope_value

#: The engine refuses a createBatch() of more items than this.
MAX_BATCH_SIZE = 100
#: The envelope's own bytes around metadata and params, as JSON.stringify writes it.
ENVELOPE_OVERHEAD = (
    len(json.dumps({METADATA_KEY: None, PARAMS_KEY: None}, separators=(",", ":"))) - 8
)

RESERVED_METADATA_PREFIX = "__dispatcher"
#: Metadata integers stay below it: the SDK hands 2**53 - 1 itself to JavaScript as a BigInt.
METADATA_INTEGER_LIMIT = MAX_SAFE_INTEGER - 1


def check_metadata(metadata: object, scope_key: str | None) -> int:
    """Check metadata at wrap time; return its encoded size in bytes.

    Metadata is persisted with every instance, so it must be JSON data; it must
    not carry envelope keys; and unless ``scope_key`` is None it must name the
    tenant under ``scope_key``.
    """
    if not isinstance(metadata, Mapping):
        raise InvalidMetadataError(
            f"metadata must be a dict of JSON data, got {type(metadata).__name__}."
        )
    for key in metadata:
        if isinstance(key, str) and key.startswith(RESERVED_METADATA_PREFIX):
            raise InvalidMetadataError(
                f"metadata key {key!r} is reserved for the dispatcher envelope; rename it."
            )
    try:
        encoded = json.dumps(metadata, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InvalidMetadataError(
            f"metadata must be JSON-serialisable (it is persisted with every "
            f"instance): {exc}. Pass only strings, numbers, booleans, None, lists "
            "and dicts with string keys."
        ) from None
    _check_safe_integers(metadata)
    if scope_key is not None:
        scope_value(metadata, scope_key)
    size = len(encoded.encode())
    if size > MAX_PAYLOAD_BYTES // 16:
        raise InvalidMetadataError(
            f"metadata is {size} bytes; keep it under {MAX_PAYLOAD_BYTES // 16} "
            "bytes: it is a routing hint stored with every instance, not a data store."
        )
    return size


def _check_safe_integers(value: object) -> None:
    """Metadata crosses into JavaScript as JSON: an integer beyond 2**53 would change."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > METADATA_INTEGER_LIMIT:
            raise InvalidMetadataError(
                f"metadata integer {value} is not below JavaScript's safe integers (2**53 - 1), "
                "so it would not survive the trip; pass it as a string."
            )
    elif isinstance(value, Mapping):
        for item in value.values():
            _check_safe_integers(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_safe_integers(item)


def check_create_options(options: object, *, where: str = "create() options") -> dict[str, Any]:
    """Return create options as a new dict; None means ``{}``.

    Every option is kept as given, so options this library does not know
    (``retention``, future ones) still reach the engine.
    """
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise InvalidCreateOptionsError(
            f"{where} must be an object like {{'id': ..., 'params': ...}}, "
            f"got {type(options).__name__}."
        )
    return dict(options)


def check_batch(batch: object) -> list[dict[str, Any]]:
    """Check a createBatch() argument: a list of 1 to 100 create options."""
    if isinstance(batch, (str, bytes, Mapping)) or not isinstance(batch, Sequence):
        raise InvalidBatchError(
            f"createBatch() takes a list of create options, got {type(batch).__name__}."
        )
    if not 1 <= len(batch) <= MAX_BATCH_SIZE:
        raise InvalidBatchError(
            f"createBatch() takes 1 to {MAX_BATCH_SIZE} items, got {len(batch)}; "
            "split larger batches."
        )
    items = []
    for index, options in enumerate(batch):
        if options is None:
            raise InvalidBatchError(
                f"createBatch() item {index} is missing; every item must be create options."
            )
        items.append(check_create_options(options, where=f"createBatch() item {index}"))
    return items
