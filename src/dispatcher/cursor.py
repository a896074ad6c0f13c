"""The opaque cursor of ``GET /admin/tenants/<t>/instances``: where the next page starts.

An index row's sequence number (rows are listed newest first, by descending
sequence), as URL-safe text a client passes back unchanged.
"""

from __future__ import annotations

import base64
import binascii

from .http import MAX_SAFE_INTEGER, parse_whole

#: The kind of the instance listing's cursors (the logs' is ``logs.CURSOR_KIND``).
_KIND = "i1"


class CursorError(ValueError):
    """A cursor this dispatcher did not make."""


def encode(row: int, kind: str = _KIND) -> str:
    """The cursor of a page that starts after ``row``; ``kind`` names the listing it is for."""
    return base64.urlsafe_b64encode(f"{kind}:{row}".encode()).decode().rstrip("=")


def decode(cursor: str, kind: str = _KIND) -> int:
    """The row after which the page starts; ``CursorError`` for anything not from ``encode``
    (a cursor of another listing included)."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError("cursor is not one this API returned: pass nextCursor back") from None
    prefix = f"{kind}:"
    # A row number reaches SQL as a JavaScript number: exact up to MAX_SAFE_INTEGER only
    # (a larger one arrived as a BigInt and failed the query).
    number = parse_whole(text.removeprefix(prefix), 0, MAX_SAFE_INTEGER)
    if not text.startswith(prefix) or number is None:
        raise CursorError("cursor is not one this API returned: pass nextCursor back")
    return number
