"""JSON responses of the dispatcher's HTTP surface, and the one for unexpected failures."""

from __future__ import annotations

import json
import traceback
from typing import Any

from js import console
from workers import Response

from .http import error_id


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, headers={"content-type": "application/json"})


def error_response(status: int, message: str) -> Response:
    """A refusal the caller can act on: ``{"error": message}``."""
    return json_response({"error": message}, status)


#: The ``event`` of the log line of an unexpected failure (Workers Logs filters on it).
ERROR_EVENT = "dispatcher.error"


def internal_error(message: str, status: int = 500, detail: str | None = None) -> Response:
    """A response for an unexpected failure: an id to quote, the traceback only in the log,
    in one JSON line (``event``, ``id``, ``message``, ``detail``)."""
    reference = error_id()
    logged = traceback.format_exc() if detail is None else detail
    line = {"event": ERROR_EVENT, "id": reference, "message": message, "detail": logged}
    console.error(json.dumps(line))
    return json_response({"error": message, "id": reference}, status)
