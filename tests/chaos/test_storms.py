"""Create storms: a kill -9 of the dev server in the middle of one, and a DELETE of the
tenant in the middle of another. Nothing acknowledged is lost, nothing deleted comes back."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.chaos.conftest import CHAOS_TENANT, FINAL, Chaos, fresh_name, record
from tests.chaos.test_first_uploads import every_listed

pytestmark = pytest.mark.workerd

CLIENTS = 8


@dataclass
class Storm:
    """``CLIENTS`` threads creating instances on ``tenants`` (round robin) until stopped;
    every attempt is a new id, so an answer lost in a crash is never retried under it."""

    chaos: Chaos
    tenants: list[str]
    params: dict[str, Any] = field(default_factory=dict)
    acknowledged: dict[str, str] = field(default_factory=dict)  # id -> tenant
    unanswered: dict[str, str] = field(default_factory=dict)  # sent, no answer (a crash)
    down: int = 0  # not even connected: the dev server was down
    refused: Counter[int] = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)
    _ids: Any = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> Storm:
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(CLIENTS)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    @property
    def sent(self) -> int:
        answered = len(self.acknowledged) + sum(self.refused.values())
        return answered + len(self.unanswered) + self.down

    def wait_for(self, condition: Callable[[], bool], timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"storm stuck: {self.summary()}"
            time.sleep(0.05)

    def summary(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "acknowledged": len(self.acknowledged),
            "unanswered": len(self.unanswered),
            "down": self.down,
            "refused": dict(self.refused),
        }

    def _run(self) -> None:
        with self.chaos.client(timeout=30) as client:
            while not self.stop.is_set():
                with self._lock:
                    n = next(self._ids)
                tenant, instance_id = self.tenants[n % len(self.tenants)], f"s{n}"
                body = {"id": instance_id, "params": self.params}
                try:
                    response = client.post(f"/t/{tenant}/workflows", json=body)
                except httpx.ConnectError:
                    self.down += 1
                    time.sleep(0.2)  # the dev server is down: try again shortly
                    continue
                except httpx.TransportError:  # sent, and the answer was cut off
                    self.unanswered[instance_id] = tenant
                    continue
                if response.status_code == 200:
                    self.acknowledged[instance_id] = tenant
                else:
                    self.refused[response.status_code] += 1
                    time.sleep(0.05)


def engine_status(client: httpx.Client, tenant: str, instance_id: str) -> str:
    """What the engine says of the instance through its tenant; ``missing`` if nothing."""
    response = client.get(f"/t/{tenant}/workflows/{instance_id}")
    if response.status_code == 404:
        return "missing"
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


def wait_until_final(client: httpx.Client, tenant: str, ids: list[str]) -> dict[str, str]:
    deadline, found = time.monotonic() + 180, {}
    for instance_id in ids:
        while (status := engine_status(client, tenant, instance_id)) not in FINAL | {"missing"}:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        found[instance_id] = status
    return found


def test_a_kill_9_in_a_create_storm_loses_no_acknowledged_create(chaos: Chaos) -> None:
    tenants = [fresh_name("storm") for _ in range(4)]
    with chaos.admin() as admin:
        for tenant in tenants:
            assert admin.put(f"/admin/tenants/{tenant}", json=CHAOS_TENANT).status_code == 201
    with Storm(chaos, tenants) as storm:
        storm.wait_for(lambda: len(storm.acknowledged) >= 80)
        chaos.server.kill()  # kill -9 of wrangler, workerd and all
        killed_at = storm.summary()
        chaos.server.start()  # wakes what the crash left stalled
        storm.wait_for(lambda: len(storm.acknowledged) >= 200)
    woken = chaos.server.woken or {}
    with chaos.client() as client, chaos.admin() as admin:
        final: dict[str, str] = {}
        listed: Counter[str] = Counter()
        for tenant in tenants:
            mine = [i for i, t in {**storm.unanswered, **storm.acknowledged}.items() if t == tenant]
            final |= wait_until_final(client, tenant, mine)
            rows = every_listed(admin, tenant)
            # A create the crash cut off left a reservation; the wake-up on start dropped it.
            assert not [item for item in rows if item["status"] == "reserved"], rows
            listed.update(item["id"] for item in rows)
    acknowledged = set(storm.acknowledged)
    lost = {i for i in acknowledged if final[i] != "complete"}
    assert not lost, {i: final[i] for i in lost}
    assert all(listed[i] == 1 for i in acknowledged), "each acknowledged create listed once"
    # No index row without an engine instance, and no engine instance without a row.
    exists = {i for i, status in final.items() if status != "missing"}
    assert set(listed) == exists, set(listed) ^ exists
    record(
        "kill -9 in a create storm",
        clients=CLIENTS,
        tenants=len(tenants),
        sent=storm.sent,
        acknowledged=len(acknowledged),
        acknowledged_before_kill=killed_at["acknowledged"],
        cut_off_by_the_kill=len(storm.unanswered),
        of_which_created=len(set(storm.unanswered) & exists),
        found_complete=len(acknowledged) - len(lost),
        listed_once=sum(1 for i in acknowledged if listed[i] == 1),
        woken_after_restart=woken.get("woken", 0),
        cut_off_reservations_dropped=woken.get("cutOffReservations", 0),
        lost=len(lost),
    )


def test_a_delete_in_a_create_storm_ends_everything_and_the_name_starts_afresh(
    chaos: Chaos,
) -> None:
    tenant = fresh_name("doomed")
    with chaos.admin() as admin:
        first = admin.put(f"/admin/tenants/{tenant}", json=CHAOS_TENANT).json()
        with Storm(chaos, [tenant], params={"sleep": "1 hour"}) as storm:  # none finishes
            storm.wait_for(lambda: len(storm.acknowledged) >= 60)
            deleted = admin.delete(f"/admin/tenants/{tenant}")
            at_delete = len(storm.acknowledged)
            storm.wait_for(lambda: storm.refused[404] >= 20)  # creates now find no tenant
        assert deleted.status_code == 200, deleted.text
        again = admin.put(f"/admin/tenants/{tenant}", json=CHAOS_TENANT).json()
        assert again["uid"] != first["uid"]
        statuses = Counter(
            str(admin.get(f"/admin/debug/raw-status/{engine_id(first, i)}").json()["status"])
            for i in storm.acknowledged
        )
        with chaos.client() as client:
            seen_by_new = Counter(engine_status(client, tenant, i) for i in storm.acknowledged)
        assert every_listed(admin, tenant) == []
    assert set(statuses) == {"terminated"}, statuses  # every one was asleep, none survives
    assert set(storm.refused) <= {404, 409}, storm.refused
    assert deleted.json()["terminatedInstances"] == len(storm.acknowledged)
    assert seen_by_new == {"missing": len(storm.acknowledged)}
    record(
        "delete in a create storm",
        acknowledged=len(storm.acknowledged),
        acknowledged_before_delete_answered=at_delete,
        terminated_by_delete=deleted.json()["terminatedInstances"],
        still_running=sum(n for s, n in statuses.items() if s not in FINAL),
        refused_while_deleting=storm.refused[409],
        refused_after_delete=storm.refused[404],
        visible_to_the_new_tenant=len(storm.acknowledged) - seen_by_new["missing"],
        lost=0,
    )


def engine_id(tenant: dict[str, Any], instance_id: str) -> str:
    from dynamic_workflows import TenantScope  # noqa: PLC0415

    return TenantScope.for_value(tenant["uid"]).scope(instance_id)
