"""Checks at the edge, so bad input fails before anything is persisted.

The reference passes anything through: a function or a cyclic object in params
returns an id while the instance stays ``queued`` forever. Here every create
input is checked first and rejected with an error that names the problem.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from .envelope import METADATA_KEY, PARAMS_KEY
from .errors import (
    InvalidBatchError,
    InvalidCreateOptionsError,
    InvalidMetadataError,
    InvalidParamsError,
)
from .scoping import scope_value

#: The engine refuses params larger than this.
MAX_PAYLOAD_BYTES = 1024 * 1024
#: The engine refuses a createBatch() of more items than this.
MAX_BATCH_SIZE = 100
#: The envelope's own bytes around metadata and params.
ENVELOPE_OVERHEAD = len(json.dumps({METADATA_KEY: None, PARAMS_KEY: None})) - 8

RESERVED_METADATA_PREFIX = "__dispatcher"


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
        encoded = json.dumps(metadata, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidMetadataError(
            f"metadata must be JSON-serialisable (it is persisted with every "
            f"instance): {exc}. Pass only strings, numbers, booleans, None, lists "
            "and dicts with string keys."
        ) from None
    if scope_key is not None:
        scope_value(metadata, scope_key)
    size = len(encoded.encode())
    if size > MAX_PAYLOAD_BYTES // 16:
        raise InvalidMetadataError(
            f"metadata is {size} bytes; keep it under {MAX_PAYLOAD_BYTES // 16} "
            "bytes: it is a routing hint stored with every instance, not a data store."
        )
    return size


def check_params(params: Any, *, limit: int = MAX_PAYLOAD_BYTES) -> int:
    """Check that params are data the engine can persist; return their size.

    The size is the UTF-8 length of their JSON encoding, computed without
    encoding them (a 1 MiB payload is never copied here). Allowed: None, bool,
    int, float, str, bytes, datetime, lists and dicts with string keys.
    Cycles and anything else (functions, custom objects) are refused.
    """
    size = 0
    active: set[int] = set()
    # An explicit stack: deep params must not hit the recursion limit.
    stack: list[tuple[Any, str, bool]] = [(params, "params", False)]
    while stack:
        value, path, leaving = stack.pop()
        if leaving:
            active.discard(id(value))
            continue
        if value is None or value is True or value is False:
            size += 5
        elif isinstance(value, str):
            size += _text_size(value)
        elif isinstance(value, int):
            size += 20 if -(10**19) < value < 10**19 else len(str(value))
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidParamsError(f"{path} is {value}, which JSON cannot carry.")
            size += 24
        elif isinstance(value, (datetime.datetime, datetime.date)):
            size += 26
        elif isinstance(value, bytes):
            size += len(value) * 4 // 3 + 4
        elif isinstance(value, (dict, list)):
            if id(value) in active:
                raise InvalidParamsError(
                    f"{path} refers back to itself (a cycle); params must be a tree of data."
                )
            active.add(id(value))
            stack.append((value, path, True))
            size += 2
            if isinstance(value, dict):
                for key, item in value.items():
                    if not isinstance(key, str):
                        raise InvalidParamsError(
                            f"{path} has a key of type {type(key).__name__}; "
                            "dict keys must be strings."
                        )
                    size += _text_size(key) + 2  # ":" and ","
                    stack.append((item, f"{path}.{key}", False))
            else:
                for index, item in enumerate(value):
                    size += 1
                    stack.append((item, f"{path}[{index}]", False))
        else:
            raise InvalidParamsError(
                f"{path} is a {type(value).__name__}, which cannot be persisted. "
                "Params must be data: None, bool, numbers, str, bytes, datetime, "
                "lists and dicts with string keys."
            )
        if size > limit:
            raise InvalidParamsError(
                f"params are over the engine's limit of {limit} bytes "
                f"(counting the dispatcher envelope); store large data elsewhere "
                "(R2, KV) and pass a key."
            )
    return size


def _text_size(text: str) -> int:
    """UTF-8 length plus quotes, without copying ASCII text."""
    return (len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))) + 2


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
