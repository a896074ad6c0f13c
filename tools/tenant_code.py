"""Upload the example tenants (``tenants/<name>/``) to a dispatcher's admin API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

TENANTS_DIR = Path(__file__).resolve().parent.parent / "tenants"
MAIN_MODULES = ("index.js", "main.py")


def upload_body(directory: Path, **overrides: Any) -> dict[str, Any]:
    """An upload for every .js/.py file of a tenant directory."""
    modules = {
        path.relative_to(directory).as_posix(): path.read_text()
        for path in sorted(directory.rglob("*"))
        if path.suffix in (".js", ".py") and "__pycache__" not in path.parts
    }
    main = next(name for name in MAIN_MODULES if name in modules)
    return {"mainModule": main, "modules": modules, **overrides}


def upload(client: httpx.Client, tenant: str, body: dict[str, Any]) -> str:
    """PUT a tenant's code; returns its version."""
    response = client.put(f"/admin/tenants/{tenant}", json=body)
    response.raise_for_status()
    return str(response.json()["version"])


def upload_examples(client: httpx.Client) -> dict[str, str]:
    """Upload every example tenant under its directory name."""
    return {
        directory.name: upload(client, directory.name, upload_body(directory))
        for directory in sorted(TENANTS_DIR.iterdir())
        if directory.is_dir()
    }
