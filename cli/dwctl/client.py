"""The admin API of a dynamic-workflows dispatcher, over httpx.

Every failure is an ``AdminError`` whose message says what to fix: a URL that
does not answer or answers something other than the dispatcher, a token the
dispatcher refuses, a refused upload (the dispatcher's own one-line reason).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import httpx

#: The environment variables dwctl reads.
URL_VARIABLE = "DW_URL"
TOKEN_VARIABLE = "DW_ADMIN_TOKEN"
#: A Cloudflare Access service token, when Access guards the admin hostname.
ACCESS_ID_VARIABLE = "DW_ACCESS_CLIENT_ID"
ACCESS_SECRET_VARIABLE = "DW_ACCESS_CLIENT_SECRET"


class AdminError(Exception):
    """A call to the admin API failed; the message says what to do."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AdminClient:
    """Calls to ``/admin/...`` of one dispatcher, with its bearer token."""

    def __init__(self, http: httpx.Client, *, url: str | None = None) -> None:
        """``http`` carries the base URL and the ``authorization`` header (see ``connect``)."""
        self._http = http
        self.url = url or str(http.base_url).rstrip("/")

    @classmethod
    def connect(
        cls,
        url: str,
        token: str,
        *,
        access: tuple[str, str] | None = None,
        timeout: float = 120.0,
    ) -> AdminClient:
        """``access``: a Cloudflare Access service token (client id, secret), sent as
        ``CF-Access-Client-Id`` and ``CF-Access-Client-Secret``."""
        if not url.startswith(("http://", "https://")):
            raise AdminError(f"{URL_VARIABLE}={url!r} must start with https:// (or http://)")
        headers = {"authorization": f"Bearer {token}"}
        if access is not None:
            headers["cf-access-client-id"], headers["cf-access-client-secret"] = access
        http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)
        return cls(http, url=url.rstrip("/"))

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] = os.environ, *, url: str | None = None
    ) -> AdminClient:
        """The dispatcher ``DW_URL`` (or ``url``) names, with the token ``DW_ADMIN_TOKEN`` holds
        (and the Access service token of ``DW_ACCESS_CLIENT_ID``/``_SECRET`` if set)."""
        url = url or environ.get(URL_VARIABLE, "")
        token = environ.get(TOKEN_VARIABLE, "")
        if not url:
            raise AdminError(
                f"set {URL_VARIABLE} to the dispatcher's URL, e.g. "
                f"{URL_VARIABLE}=https://admin.example.com (or pass --url)"
            )
        if not token:
            raise AdminError(
                f"set {TOKEN_VARIABLE} to the dispatcher's ADMIN_TOKEN secret "
                "(`wrangler secret put ADMIN_TOKEN` set it; .dev.vars holds the local one)"
            )
        access_id = environ.get(ACCESS_ID_VARIABLE, "")
        access_secret = environ.get(ACCESS_SECRET_VARIABLE, "")
        if bool(access_id) != bool(access_secret):
            raise AdminError(
                f"set both {ACCESS_ID_VARIABLE} and {ACCESS_SECRET_VARIABLE}, or neither"
            )
        access = (access_id, access_secret) if access_id else None
        return cls.connect(url, token, access=access)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- tenants ---------------------------------------------------------------------------

    def upload(self, tenant: str, body: Mapping[str, Any]) -> str:
        """Store the tenant's code (checked, then loaded once in workerd); its version."""
        try:
            answer = self.call("PUT", f"/admin/tenants/{tenant}", json=dict(body))
        except AdminError as exc:
            if exc.status in (400, 413):
                message = f"upload of tenant {tenant!r} refused: {exc}"
                raise AdminError(message, exc.status) from None
            raise
        return str(answer["version"])

    def tenants(self) -> list[dict[str, Any]]:
        """Every tenant (all pages): its name, shard, version, unfinished count and quota."""
        found: list[dict[str, Any]] = []
        cursor = None
        while True:
            params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
            page = self.call("GET", "/admin/tenants", params=params)
            found += page["tenants"]
            cursor = page["nextCursor"]
            if cursor is None:
                return found

    def tenant(self, tenant: str) -> dict[str, Any]:
        """The tenant's identity, shard, current version and version history."""
        return dict(self.call("GET", f"/admin/tenants/{tenant}"))

    def roll_back(self, tenant: str, version: str) -> dict[str, Any]:
        """Point the tenant's current version at ``version``, one it had before."""
        return dict(self.call("PUT", f"/admin/tenants/{tenant}/current", json={"version": version}))

    def delete(self, tenant: str) -> dict[str, Any]:
        return dict(self.call("DELETE", f"/admin/tenants/{tenant}"))

    def quota(self, tenant: str, **fields: float) -> dict[str, Any]:
        """The tenant's quota and unfinished count; with ``fields``, set those first."""
        if fields:
            return dict(self.call("PUT", f"/admin/tenants/{tenant}/quota", json=fields))
        return dict(self.call("GET", f"/admin/tenants/{tenant}/quota"))

    def instances(
        self, tenant: str, *, status: str | None = None, limit: int = 20, cursor: str | None = None
    ) -> dict[str, Any]:
        """A page of the tenant's instances, newest first (``nextCursor`` for the next)."""
        params = {"limit": str(limit)}
        if status:
            params["status"] = status
        if cursor:
            params["cursor"] = cursor
        return dict(self.call("GET", f"/admin/tenants/{tenant}/instances", params=params))

    def instance(self, tenant: str, instance_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/admin/tenants/{tenant}/instances/{instance_id}"))

    def act(self, tenant: str, instance_id: str, action: str) -> dict[str, Any]:
        """Pause, resume, terminate or restart one of the tenant's instances."""
        path = f"/admin/tenants/{tenant}/instances/{instance_id}/{action}"
        return dict(self.call("POST", path))

    def terminate_unfinished(self, tenant: str) -> dict[str, Any]:
        """Terminate every unfinished instance of the tenant."""
        return dict(self.call("POST", f"/admin/tenants/{tenant}/terminate-unfinished"))

    def logs(self, tenant: str, **params: str) -> dict[str, Any]:
        """A page of the tenant's logs: ``level``, ``instance``, ``limit``, and ``cursor``
        (older entries) or ``after`` (newer ones, oldest first)."""
        given = {key: value for key, value in params.items() if value}
        return dict(self.call("GET", f"/admin/tenants/{tenant}/logs", params=given))

    def status(self) -> dict[str, Any]:
        """What runs: the library, runtime and SDK versions, the shards, the private details."""
        return dict(self.call("GET", "/admin/status"))

    # -- the call ---------------------------------------------------------------------------

    def call(self, method: str, path: str, **options: Any) -> Any:
        """One admin call; its JSON answer, or AdminError saying what went wrong."""
        try:
            response = self._http.request(method, path, **options)
        except httpx.TimeoutException:
            raise AdminError(f"{self.url} did not answer {method} {path} in time") from None
        except httpx.TransportError as exc:
            raise AdminError(
                f"cannot reach {self.url} ({exc}): check {URL_VARIABLE} and your network"
            ) from None
        return self._answer(method, path, response)

    def _answer(self, method: str, path: str, response: httpx.Response) -> Any:
        if response.is_redirect and ".cloudflareaccess.com" in response.headers.get("location", ""):
            raise AdminError(
                f"Cloudflare Access guards {self.url} and sent dwctl to its login page: set "
                f"{ACCESS_ID_VARIABLE} and {ACCESS_SECRET_VARIABLE} to a service token its "
                "policy allows",
                response.status_code,
            )
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise AdminError(
                f"{self.url} answered {method} {path} with {response.status_code} "
                f"{response.reason_phrase} and no dispatcher JSON: is {URL_VARIABLE} the "
                "dispatcher's admin URL?",
                response.status_code,
            )
        if response.status_code == 401:
            raise AdminError(
                f"{self.url} refused the token (401): {TOKEN_VARIABLE} must equal the "
                "dispatcher's ADMIN_TOKEN secret",
                401,
            )
        if response.status_code >= 400:
            error = str(data.get("error") or data)
            if "id" in data:
                error += f" (reference {data['id']} in the dispatcher's log)"
            raise AdminError(error, response.status_code)
        return data
