"""The operator's console: one page, its script and its style, served at ``/admin/``.

The page needs no token to load (it asks for it, keeps it in the tab's session storage) and
holds no data; every call it makes to the admin API carries the token. A strict
Content-Security-Policy allows only its own script and style and calls to its own origin:
no third-party scripts or fonts, no inline script, no framing. The files are text modules
of the dispatcher's bundle (``wrangler.jsonc``'s rule for ``dispatcher/console/*``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from workers import Response

FILES = Path(__file__).resolve().parent / "console"
#: Path -> (file, content type): the page and what it loads.
ASSETS = {
    "/admin/": ("index.html", "text/html; charset=utf-8"),
    "/admin/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/admin/console.css": ("console.css", "text/css; charset=utf-8"),
}
POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "content-security-policy": POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def console_asset(path: str, method: str) -> Response | None:
    """The console's file at ``path`` (``GET`` or ``HEAD``), None for any other path."""
    asset = ASSETS.get(path)
    if asset is None:
        return None
    if method not in ("GET", "HEAD"):
        return Response('{"error": "use GET"}', status=405, headers={**HEADERS})
    name, kind = asset
    return Response(_read(name), headers={**HEADERS, "content-type": kind})


@cache
def _read(name: str) -> str:
    return (FILES / name).read_text()
