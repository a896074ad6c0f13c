"""The example tenants (``tenants/<name>/``) and uploads, through the operator CLI's code.

``make dev``, the tests and the benchmarks upload with ``dwctl``'s own functions
(``dwctl.code.upload_body``, ``dwctl.client.AdminClient.upload``), so CI runs them.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from dwctl.client import AdminClient
from dwctl.code import upload_body

TENANTS_DIR = Path(__file__).resolve().parent.parent / "tenants"

__all__ = ["TENANTS_DIR", "upload", "upload_body", "upload_examples"]


def upload(client: httpx.Client, tenant: str, body: dict[str, object]) -> str:
    """PUT a tenant's code with ``client`` (base URL and token set); returns its version."""
    return AdminClient(client).upload(tenant, body)


def upload_examples(client: httpx.Client) -> dict[str, str]:
    """Upload every example tenant under its directory name."""
    return {
        directory.name: upload(client, directory.name, upload_body(directory))
        for directory in sorted(TENANTS_DIR.iterdir())
        if directory.is_dir()
    }
