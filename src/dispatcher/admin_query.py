"""The admin API's query parameters as its routes read them (a parameter, a page size, a
time), and its times as answers write them."""

from __future__ import annotations

import datetime
from typing import Any

from dynamic_workflows import is_null

from .http import RequestError, whole_number

MAX_LIMIT = 100


def param(params: Any, name: str) -> str | None:
    """A query parameter (of ``URL.searchParams``) as text, None when absent."""
    value = params.get(name)
    return None if is_null(value) else str(value)


def limit_param(text: Any, *, default: int = 20, most: int = MAX_LIMIT) -> int:
    """A page size: ``default`` when absent, else 1 to ``most`` or ``RequestError(400)``."""
    if not text:
        return default
    return whole_number(str(text), "limit", 1, most)


def time_param(query: Any, name: str) -> float | None:
    """A time parameter (ISO 8601, or milliseconds since the epoch) in seconds."""
    text = param(query, name)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        # At most JavaScript's latest date (8.64e15 ms): the bound reaches SQL as a number.
        return whole_number(text, name, 0, 8_640_000_000_000_000) / 1000
    try:
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        raise RequestError(
            400, f"{name} must be an ISO 8601 time (2026-12-07T10:00:00Z) or epoch milliseconds"
        ) from None


def iso(seconds: float) -> str:
    """A time in an answer: ISO 8601 in UTC, to the millisecond."""
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
