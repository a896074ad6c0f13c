"""Concurrent first uploads of one name: one identity, one shard, no instance orphaned."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from dynamic_workflows import TenantScope
from tests.chaos.conftest import CHAOS_TENANT, FINAL, Chaos, fresh_name, record

pytestmark = pytest.mark.workerd

UPLOADS = 16
CREATORS = 8


def variant(n: int) -> dict[str, Any]:
    """The chaos tenant with its own code tag: each upload is a new version."""
    body = dict(CHAOS_TENANT)
    main = body["mainModule"]
    body["modules"] = {**body["modules"]}
    body["modules"][main] = body["modules"][main].replace("'chaos-v1'", f"'chaos-v{n}'")
    return body


def every_listed(admin: httpx.Client, tenant: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 100}
    while True:
        response = admin.get(f"/admin/tenants/{tenant}/instances", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["instances"]
        if page["nextCursor"] is None:
            return items
        query["cursor"] = page["nextCursor"]


def test_parallel_first_uploads_with_creates_in_flight_make_one_identity(chaos: Chaos) -> None:
    tenant = fresh_name("first")
    start = threading.Barrier(UPLOADS + CREATORS)
    uploads_done = threading.Event()
    attempted = Counter[str]()

    def upload(n: int) -> httpx.Response:
        with chaos.admin() as admin:
            start.wait()
            return admin.put(f"/admin/tenants/{tenant}", json=variant(n))

    def create(worker: int) -> list[str]:
        acknowledged: list[str] = []
        with chaos.client() as client:
            start.wait()
            n = 0
            while not uploads_done.is_set() or len(acknowledged) < 3:
                instance_id = f"c{worker}-{n}"
                n += 1
                attempted[instance_id] += 1
                response = client.post(f"/t/{tenant}/workflows", json={"id": instance_id})
                if response.status_code == 200:
                    acknowledged.append(response.json()["id"])
                else:  # the tenant does not exist yet for this request
                    assert response.status_code == 404, response.text
                    time.sleep(0.01)
        return acknowledged

    with ThreadPoolExecutor(UPLOADS + CREATORS) as pool:
        creators = [pool.submit(create, worker) for worker in range(CREATORS)]
        answers = list(pool.map(upload, range(UPLOADS)))
        uploads_done.set()
        acknowledged = [instance_id for c in creators for instance_id in c.result()]

    assert [a.status_code for a in answers] == [201] * UPLOADS, [a.text for a in answers]
    uids = {a.json()["uid"] for a in answers}
    shards = {a.json()["shard"] for a in answers}
    with chaos.admin() as admin:
        tenant_now = admin.get(f"/admin/tenants/{tenant}").json()
        assert uids == {tenant_now["uid"]} and shards == {tenant_now["shard"]}
        listed = every_listed(admin, tenant)
    scope = TenantScope.for_value(tenant_now["uid"])
    listed_ids = Counter(item["id"] for item in listed)
    assert set(listed_ids) == set(acknowledged), "every acknowledged create is listed"
    assert max(listed_ids.values()) == 1, "and listed once"
    assert all(item["engineId"] == scope.scope(item["id"]) for item in listed)
    with chaos.client() as client:
        finished = [_wait(client, tenant, instance_id) for instance_id in acknowledged]
    assert finished == ["complete"] * len(acknowledged)
    record(
        "concurrent first uploads",
        uploads=UPLOADS,
        uids=len(uids),
        shards=len(shards),
        creates_sent=sum(attempted.values()),
        acknowledged=len(acknowledged),
        found=len(listed_ids),
        completed=finished.count("complete"),
        lost=len(set(acknowledged) - set(listed_ids)),
    )


def _wait(client: httpx.Client, tenant: str, instance_id: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/t/{tenant}/workflows/{instance_id}")
        assert response.status_code == 200, response.text
        status = str(response.json()["status"])
        if status in FINAL or time.monotonic() > deadline:
            return status
        time.sleep(0.2)
