"""The opaque cursor of ``GET /admin/tenants/<t>/instances``: where the next page starts.

An index row's sequence number (rows are listed newest first, by descending
sequence), as URL-safe text a client passes back unchanged.
"""

from __future__ import annotations

import base64
import binascii

_PREFIX = "i1:"


class CursorError(ValueError):
    """A cursor this dispatcher did not make."""


def encode(row: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{row}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    """The row after which the page starts; ``CursorError`` for anything not from ``encode``."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError("cursor is not one this API returned: pass nextCursor back") from None
    number = text.removeprefix(_PREFIX)
    if not text.startswith(_PREFIX) or not number.isdigit() or len(number) > 18:
        raise CursorError("cursor is not one this API returned: pass nextCursor back")
    return int(number)
