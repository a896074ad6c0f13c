"""The persisted envelope, key for key the JavaScript reference's.

Workflows persists ``event.payload``; the wrapped binding stores
``{"__dispatcherMetadata": metadata, "params": params}`` there so the
dispatcher's entrypoint can route the run. Keeping the reference's keys lets a
platform move its dispatcher between JavaScript and Python with instances in
flight.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .errors import MissingDispatcherMetadataError

METADATA_KEY = "__dispatcherMetadata"
PARAMS_KEY = "params"


class Unwrapped(NamedTuple):
    metadata: Any
    params: Any


def wrap_params(params: Any, metadata: Any) -> dict[str, Any]:
    """Tag a tenant's params with the dispatcher's metadata."""
    return {METADATA_KEY: metadata, PARAMS_KEY: params}


def unwrap_params(payload: Any) -> Unwrapped:
    """Split an envelope back into metadata and params.

    Like the reference, an envelope is any mapping holding both keys; anything
    else means the instance was created on the raw binding.
    """
    if isinstance(payload, Mapping) and METADATA_KEY in payload and PARAMS_KEY in payload:
        return Unwrapped(payload[METADATA_KEY], payload[PARAMS_KEY])
    raise MissingDispatcherMetadataError()
