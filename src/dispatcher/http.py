"""Pure request handling for the dispatcher: body limits, bounded JSON, forwarded headers.

No ``js`` here, so all of it runs (and is tested) on CPython too.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

#: The largest admin request body: an upload's code (uploads.MAX_CODE_BYTES) plus the
#: overhead of carrying it in JSON (base64 for binary modules, escapes in strings).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: How deeply arrays and objects may nest in an admin request body. An upload needs
#: 3 levels plus its JSON modules' own; Python's parser recurses per level and a few
#: hundred thousand levels overflow the stack.
MAX_JSON_DEPTH = 64
#: Request headers that carry the caller's credentials: never forwarded to tenant code.
#: (Cloudflare Access's ``CF_Authorization`` cookie travels in ``Cookie``.)
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "cf-access-jwt-assertion",
        "cf-access-client-id",
        "cf-access-client-secret",
    }
)

#: Response headers of a tenant's answer that act on the whole origin, which every tenant's
#: pages share (``/t/<tenant>/...``): never passed on. ``Service-Worker-Allowed`` would let a
#: tenant's service worker take a scope beyond its own path and intercept other tenants'
#: pages; a cookie goes with every tenant's requests (none ever reaches tenant code: see
#: ``CREDENTIAL_HEADERS``) and enough of them make every request too large to be served;
#: ``Clear-Site-Data`` wipes what every tenant's pages stored; ``NEL`` with ``Report-To``
#: would have browsers report failed requests to any tenant's pages (their URLs) to the
#: tenant's endpoint; ``Alt-Svc`` and ``Strict-Transport-Security`` set how browsers reach
#: the whole host.
ORIGIN_WIDE_HEADERS = frozenset(
    {
        "service-worker-allowed",
        "set-cookie",
        "clear-site-data",
        "nel",
        "report-to",
        "alt-svc",
        "strict-transport-security",
    }
)

_CONTENT_LENGTH = re.compile(r"[0-9]{1,16}")
#: ASCII digits only: ``str.isdigit()`` also takes a superscript two (which ``int()``
#: refuses) and Arabic-Indic or fullwidth digits (which ``int()`` reads as ASCII ones).
_WHOLE = re.compile(r"[0-9]{1,16}")
#: The largest whole number a JavaScript number (and so SQL through the runtime) holds exactly.
MAX_SAFE_INTEGER = 2**53 - 1
#: A JSON string or a bracket. An unterminated string (even one ending in a lone backslash)
#: runs to the end of the text, so the pattern never backtracks and the scan stays linear.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)


def admin_host_allowed(admin_hostname: str, hostname: str) -> bool:
    """Whether ``/admin/...`` answers on ``hostname``: any host when ``ADMIN_HOSTNAME`` is
    empty (local runs), else only the hostnames it lists (comma-separated, any case).

    Routes of several hostnames reach the same Worker: without this, the admin API would
    answer on the tenants' public hostname too, outside the Access policy of its own.
    """
    admin = _hostnames(admin_hostname)
    return not admin or _hostname(hostname) in admin


def tenant_host_allowed(admin_hostname: str, hostname: str) -> bool:
    """Whether ``/t/<tenant>/...`` answers on ``hostname``: on every host but those
    ``ADMIN_HOSTNAME`` lists.

    The console's origin then serves the dispatcher's own pages only: no tenant's page
    (its scripts, a service worker it registers, its cookies) shares an origin with the
    console, which holds the admin token.
    """
    return _hostname(hostname) not in _hostnames(admin_hostname)


def _hostnames(listed: str) -> set[str]:
    return {_hostname(name) for name in listed.split(",") if name.strip()}


def _hostname(name: str) -> str:
    return name.strip().lower().rstrip(".")


class RequestError(Exception):
    """A request the dispatcher refuses; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_whole(text: str, low: int, high: int) -> int | None:
    """``text`` as a whole number from ``low`` to ``high``, None for anything else."""
    if not _WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def whole_number(text: str, name: str, low: int, high: int) -> int:
    """``parse_whole``, or ``RequestError(400)`` naming the parameter and its range."""
    number = parse_whole(text, low, high)
    if number is None:
        raise RequestError(400, f"{name} must be a whole number from {low} to {high}")
    return number


def body_length(content_length: str | None, *, limit: int = MAX_BODY_BYTES) -> int:
    """The declared length of a body that must be read, checked before reading it."""
    if content_length is None:
        raise RequestError(411, "send a Content-Length header with the body.")
    if not _CONTENT_LENGTH.fullmatch(content_length.strip()):
        raise RequestError(400, f"Content-Length must be a number, got {content_length[:40]!r}.")
    length = int(content_length)
    if length > limit:
        raise RequestError(413, f"the body is {length} bytes; at most {limit} are accepted.")
    return length


def json_depth(text: str, *, stop_above: int = MAX_JSON_DEPTH) -> int:
    """How deeply arrays and objects nest in ``text``, without parsing it.

    Linear in the text; stops counting once the depth passes ``stop_above``.
    Brackets inside strings do not count.
    """
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_above:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


def parse_json(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``text`` parsed as JSON, or RequestError(400): never a RecursionError."""
    if json_depth(text, stop_above=max_depth) > max_depth:
        raise RequestError(400, f"the body nests arrays and objects deeper than {max_depth}.")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise RequestError(400, f"the body is not JSON: {exc}") from None


async def read_json(request: Any) -> Any:
    """A request's JSON body: its length checked before it is read, its depth before parsing.

    ``request`` is anything with ``headers.get`` and an async ``text()`` (the SDK's Request).
    """
    body_length(request.headers.get("content-length"))
    return parse_json(await request.text())


def error_id() -> str:
    """A short id that ties an error response to its log line."""
    return secrets.token_hex(6)
