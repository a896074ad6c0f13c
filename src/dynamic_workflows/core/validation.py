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
#: The envelope's own bytes around metadata and params, as JSON.stringify writes it.
ENVELOPE_OVERHEAD = (
    len(json.dumps({METADATA_KEY: None, PARAMS_KEY: None}, separators=(",", ":"))) - 8
)

RESERVED_METADATA_PREFIX = "__dispatcher"
#: The largest integer a JavaScript number holds exactly (Number.MAX_SAFE_INTEGER).
MAX_SAFE_INTEGER = 2**53 - 1
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


def check_params(params: Any, *, limit: int = MAX_PAYLOAD_BYTES) -> int:
    """Check that params are data the engine can persist; return their size.

    The size is the UTF-8 length of their JSON encoding (to a byte or two per
    float), computed without encoding them: a 1 MiB payload is never copied
    here. Allowed: None, bool, int, float, str, bytes, datetime, lists and dicts
    with string keys. Cycles and anything else (functions, custom objects) are
    refused, naming where they are (the path is only built for the error).
    """
    size = 0
    active: set[int] = set()
    # An explicit stack of (value, parent entry, key): deep params must not hit the
    # recursion limit, and no path string is built unless there is an error.
    root: _Entry = (params, None, "params")
    stack: list[_Entry | int] = [root]
    while stack:
        entry = stack.pop()
        if isinstance(entry, int):  # leaving a container
            active.discard(entry)
            continue
        value = entry[0]
        if value is None or value is True:
            size += 4
        elif value is False:
            size += 5
        elif isinstance(value, str):
            size += _text_size(value)
        elif isinstance(value, int):
            size += len(str(value))
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidParamsError(f"{_path(entry)} is {value}, which JSON cannot carry.")
            size += len(repr(value))
        elif isinstance(value, (datetime.datetime, datetime.date)):
            size += 26
        elif isinstance(value, bytes):
            size += len(value) * 4 // 3 + 4
        elif isinstance(value, (dict, list)):
            marker = id(value)
            if marker in active:
                raise InvalidParamsError(
                    f"{_path(entry)} refers back to itself (a cycle); "
                    "params must be a tree of data."
                )
            active.add(marker)
            stack.append(marker)
            if isinstance(value, dict):
                size += 1 + 2 * len(value) if value else 2  # braces, ":" and ","
                for key, item in value.items():
                    if not isinstance(key, str):
                        raise InvalidParamsError(
                            f"{_path(entry)} has a key of type {type(key).__name__}; "
                            "dict keys must be strings."
                        )
                    size += _text_size(key)
                    stack.append((item, entry, key))
            else:
                size += 1 + len(value) if value else 2  # brackets and ","
                stack.extend([(item, entry, index) for index, item in enumerate(value)])
        else:
            raise InvalidParamsError(
                f"{_path(entry)} is a {type(value).__name__}, which cannot be persisted. "
                "Params must be data: None, bool, numbers, str, bytes, datetime, "
                "lists and dicts with string keys."
            )
        if size > limit:
            raise params_over_limit(limit)
    return size


def params_over_limit(limit: int) -> InvalidParamsError:
    return InvalidParamsError(
        f"params are over the engine's limit of {limit} bytes "
        "(counting the dispatcher envelope); store large data elsewhere (R2, KV) and pass a key."
    )


_Entry = tuple[Any, Any, "str | int"]


def _path(entry: _Entry) -> str:
    """``params.items[3].sku`` for an entry of check_params' stack."""
    parts: list[str] = []
    node: Any = entry
    while node[1] is not None:
        key = node[2]
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
        node = node[1]
    return str(node[2]) + "".join(reversed(parts))


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
