"""The hostile tier: attack tenants against a victim tenant's instance, in real workerd."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import act, create, status, wait_for, wait_until_waiting_for_event

_SERIAL = itertools.count()


@dataclass
class Victim:
    """Another tenant's instance, waiting for an event, that no attack may touch."""

    tenant: str
    id: str
    engine_id: str
    uid: str

    def assert_untouched(self, client: httpx.Client) -> None:
        """Still waiting, with no event received; the owner's event then completes it."""
        current = wait_until_waiting_for_event(client, self.tenant, self.id)
        assert current["status"] in ("running", "waiting"), current
        assert act(client, self.tenant, self.id, "event", OWNER_EVENT).status_code == 200
        result = wait_for(client, self.tenant, self.id)
        assert result["status"] == "complete", result
        assert result["output"]["approval"] == "owner", result


OWNER_EVENT: dict[str, Any] = {"type": "approval", "payload": "owner"}


@pytest.fixture
def victim(client: httpx.Client, admin: httpx.Client) -> Iterator[Victim]:
    """A js-orders instance waiting for an event, with its engine id and its tenant's uid.

    An attacker is assumed to know both: the attacks must fail even so.
    """
    instance_id = f"victim-{next(_SERIAL)}"
    create(client, "js-orders", id=instance_id, params={"waitForEvent": True})
    wait_until_waiting_for_event(client, "js-orders", instance_id)
    engine_id = admin.get(f"/admin/tenants/js-orders/instances/{instance_id}").json()["engineId"]
    uid = admin.get("/admin/tenants/js-orders").json()["uid"]
    yield Victim("js-orders", instance_id, engine_id, uid)


def attack(client: httpx.Client, tenant: str, name: str, body: Any = None) -> Any:
    response = client.post(f"/t/{tenant}/{name}", json=body or {})
    assert response.status_code == 200, response.text
    return response.json()


__all__ = ["Victim", "attack", "status"]
