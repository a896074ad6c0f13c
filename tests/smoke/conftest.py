"""The smoke suite's dispatcher: a deployed one (``DW_SMOKE_URL``, ``DW_SMOKE_TOKEN``, and
``DW_SMOKE_PUBLIC_URL`` for the tenants' hostname if it differs; ``make smoke URL=...
TOKEN=... [PUBLIC_URL=...]``) or, in ``make test``, a local dev server configured like production
(no ``DW_DEBUG_ROUTES``). Its tenants are its own, uploaded under names no one else uses and
deleted at the end, whatever happened."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from dwctl.client import ACCESS_ID_VARIABLE, ACCESS_SECRET_VARIABLE, AdminClient
from dwctl.code import upload_body
from tests.conftest import ROOT, RetryOnDisconnect

TENANTS = Path(__file__).parent / "tenants"
KINDS = ("js", "py")


@dataclass
class Target:
    """The dispatcher under test, and the tenants the suite made there."""

    url: str
    token: str
    server: Any = None  # the local DevServer, None for a deployed dispatcher
    #: The tenants' public hostname, where /admin/ must not answer (None: not given).
    public_url: str | None = None
    run: str = field(default_factory=lambda: secrets.token_hex(3))
    made: list[str] = field(default_factory=list)

    def client(self, *, admin: bool = False, public: bool = False) -> httpx.Client:
        """The admin hostname's client (with the token if ``admin``), or with ``public`` the
        tenants' hostname's where one is given."""
        headers = {"authorization": f"Bearer {self.token}"} if admin else {}
        if os.environ.get(ACCESS_ID_VARIABLE) and self.server is None and not public:
            # Cloudflare Access in front of the admin hostname: its service token (docs/deploy.md).
            headers["cf-access-client-id"] = os.environ[ACCESS_ID_VARIABLE]
            headers["cf-access-client-secret"] = os.environ.get(ACCESS_SECRET_VARIABLE, "")
        transport = RetryOnDisconnect() if self.server is not None else None
        url = (self.public_url or self.url) if public else self.url
        return httpx.Client(base_url=url, headers=headers, timeout=120, transport=transport)

    def tenant(self, kind: str, role: str) -> str:
        """A tenant of ``kind`` (js, py) uploaded under a name unique to this run."""
        name = f"smoke-{self.run}-{role}-{kind}"
        with self.client(admin=True) as http:
            AdminClient(http).upload(name, upload_body(TENANTS / f"{kind}-smoke"))
        self.made.append(name)
        return name


@pytest.fixture(scope="session")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    url = os.environ.get("DW_SMOKE_URL")
    if url:
        token = os.environ.get("DW_SMOKE_TOKEN")
        if not token:
            pytest.fail("make smoke URL=... needs TOKEN=<the dispatcher's ADMIN_TOKEN> too")
        public = os.environ.get("DW_SMOKE_PUBLIC_URL") or None
        found = Target(url.rstrip("/"), token, public_url=public and public.rstrip("/"))
        yield found
        _clean_up(found)
        return
    from tools.offline_runtime.devserver import DevServer  # noqa: PLC0415 - local runs only

    token = secrets.token_urlsafe(24)
    state = tmp_path_factory.mktemp("smoke-state")
    # As deployed: no debug routes, the admin API on its own hostname (here the loopback
    # address the suite calls; the same port under another name is the tenants' hostname).
    variables = {"ADMIN_TOKEN": token, "ADMIN_HOSTNAME": "127.0.0.1"}
    with DevServer(ROOT, persist_dir=state, variables=variables) as server:
        local = Target(server.url, token, server, public_url=f"http://localhost:{server.port}")
        yield local
        _clean_up(local)


def _clean_up(target: Target) -> None:
    """Delete every tenant the suite uploaded (their unfinished instances are terminated)."""
    with target.client(admin=True) as http:
        for name in target.made:
            response = http.delete(f"/admin/tenants/{name}")
            assert response.status_code == 200, response.text


@pytest.fixture(scope="session")
def admin(target: Target) -> Iterator[httpx.Client]:
    with target.client(admin=True) as client:
        yield client


@pytest.fixture(scope="session")
def client(target: Target) -> Iterator[httpx.Client]:
    """Tenant traffic's client: on the tenants' hostname where one is given (a dispatcher
    with ``ADMIN_HOSTNAME`` serves no tenant traffic on its admin hostname)."""
    with target.client(public=True) as client:
        yield client
