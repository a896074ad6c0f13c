"""The local engine after a crash: instances in a retry's back-off or a sleep stay stalled
until woken, and the dev server wakes them when it starts."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.chaos.conftest import CHAOS_TENANT, FINAL, Chaos, fresh_name, record
from tests.chaos.test_first_uploads import every_listed

pytestmark = pytest.mark.workerd

BACKOFF_S = 2


def status(client: httpx.Client, tenant: str, instance_id: str) -> dict[str, Any]:
    response = client.get(f"/t/{tenant}/workflows/{instance_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def wait_for_steps(client: httpx.Client, tenant: str, instance_id: str, steps: int) -> None:
    """Until the local engine lists ``steps`` finished steps of the instance."""
    deadline = time.monotonic() + 60
    while len(status(client, tenant, instance_id).get("__LOCAL_DEV_STEP_OUTPUTS") or []) < steps:
        assert time.monotonic() < deadline, status(client, tenant, instance_id)
        time.sleep(0.1)


def wait_final(client: httpx.Client, tenant: str, instance_id: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while (current := status(client, tenant, instance_id)["status"]) not in FINAL:
        if time.monotonic() > deadline:
            return str(current)
        time.sleep(0.2)
    return str(current)


def test_instances_in_a_retry_backoff_or_a_sleep_stall_after_a_crash_until_woken(
    chaos: Chaos,
) -> None:
    tenant = fresh_name("stall")
    backoff = f"{BACKOFF_S} second"
    with chaos.admin() as admin:
        assert admin.put(f"/admin/tenants/{tenant}", json=CHAOS_TENANT).status_code == 201
    with chaos.client() as client:
        # One fails its "flaky" step once and waits out the retry's back-off; the other
        # sleeps after its steps.
        ids = {
            "retrying": {"backoff": backoff},
            "sleeping": {"backoff": "10 millisecond", "sleep": backoff},
        }
        for name, params in ids.items():
            created = client.post(f"/t/{tenant}/workflows", json={"id": name, "params": params})
            assert created.status_code == 200, created.text
        wait_for_steps(client, tenant, "retrying", 1)  # greeted
        time.sleep(0.5)  # its flaky step's first attempt failed at once: it is backing off
        wait_for_steps(client, tenant, "sleeping", 2)  # greeted, flaky done: asleep
    with chaos.admin() as admin:  # and a create whose dispatcher stops before the engine call
        assert admin.post(f"/admin/debug/reserve-only/{tenant}/cut-off").json()["ok"] is True
    server = chaos.server
    server.kill()  # a crash: kill -9 of the dev server's process group
    server.wake_stalled = False
    try:
        started_at = time.time()
        server.start()
    finally:
        server.wake_stalled = True
    with chaos.client() as client:
        time.sleep(3 * BACKOFF_S)  # well past the retry and the wake-up
        stalled = {name: status(client, tenant, name)["status"] for name in ids}
        assert stalled == {"retrying": "running", "sleeping": "running"}
        with chaos.admin() as admin:
            listed = {i["id"]: i["status"] for i in every_listed(admin, tenant)}
            assert listed["cut-off"] == "reserved"  # kept 30 s unless told of the restart
            woken = admin.post("/admin/dev/wake", json={"startedAt": int(started_at * 1000)})
            assert woken.status_code == 200, woken.text
            assert "cut-off" not in {i["id"] for i in every_listed(admin, tenant)}
        assert woken.json()["woken"] >= 2 and woken.json()["cutOffReservations"] == 1
        finished = {name: wait_final(client, tenant, name, timeout=90) for name in ids}
    assert finished == {"retrying": "complete", "sleeping": "complete"}
    record(
        "local engine after a crash",
        stalled_after_restart=sum(1 for s in stalled.values() if s == "running"),
        still_stalled_after_s=3 * BACKOFF_S,
        woken=woken.json()["woken"],
        cut_off_reservations_dropped=woken.json()["cutOffReservations"],
        completed_after_wake=sum(1 for s in finished.values() if s == "complete"),
    )
