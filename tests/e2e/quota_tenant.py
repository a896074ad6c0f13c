"""Helpers of the platform tests (quotas, the instance index, delete, shards)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import httpx

from tools.tenant_code import upload, upload_body

QUOTA_TENANT = upload_body(Path(__file__).parent / "tenants" / "js-quota")
_SERIAL = itertools.count()


def fresh_tenant(admin: httpx.Client, prefix: str, **quota: Any) -> str:
    """A newly uploaded js-quota tenant (its own index), with ``quota`` set if given."""
    tenant = f"{prefix}-{next(_SERIAL)}"
    upload(admin, tenant, QUOTA_TENANT)
    if quota:
        response = admin.put(f"/admin/tenants/{tenant}/quota", json=quota)
        assert response.status_code == 200, response.text
    return tenant


def try_create(client: httpx.Client, tenant: str, **options: Any) -> httpx.Response:
    return client.post(f"/t/{tenant}/workflows", json=options)


def listed(admin: httpx.Client, tenant: str, **query: Any) -> dict[str, Any]:
    response = admin.get(f"/admin/tenants/{tenant}/instances", params=query)
    assert response.status_code == 200, response.text
    return dict(response.json())


def listed_ids(admin: httpx.Client, tenant: str, **query: Any) -> list[str]:
    """Every instance id the tenant's index lists, newest first, following the cursor."""
    ids: list[str] = []
    while True:
        page = listed(admin, tenant, **query)
        ids += [item["id"] for item in page["instances"]]
        if page["nextCursor"] is None:
            return ids
        query["cursor"] = page["nextCursor"]
