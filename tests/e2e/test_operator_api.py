"""The operator's admin API: tenants listed, an instance inspected and controlled, in scope."""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Dispatcher, create, engine_error, wait_for, wait_until_waiting_for_event
from tests.e2e.logs_helpers import upload_log_tenants, wait_for_logs, with_message

pytestmark = pytest.mark.workerd


@pytest.fixture(scope="module", autouse=True)
def log_tenants(admin: httpx.Client) -> Iterator[None]:
    upload_log_tenants(admin)
    yield


def entry(admin: httpx.Client, tenant: str, instance: str) -> dict[str, Any]:
    response = admin.get(f"/admin/tenants/{tenant}/instances/{instance}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def act(admin: httpx.Client, tenant: str, instance: str, action: str) -> httpx.Response:
    return admin.post(f"/admin/tenants/{tenant}/instances/{instance}/{action}")


def waiting(client: httpx.Client, tenant: str = "js-orders") -> str:
    instance = f"op-{uuid.uuid4().hex[:10]}"
    create(client, tenant, id=instance, params={"waitForEvent": True})
    wait_until_waiting_for_event(client, tenant, instance)
    return instance


def test_the_tenant_list_pages_through_every_tenant_with_its_shard_version_and_quota(
    admin: httpx.Client,
) -> None:
    seen: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        response = admin.get("/admin/tenants", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["tenants"]) <= 3
        for tenant in page["tenants"]:
            assert tenant["tenant"] not in seen
            seen[tenant["tenant"]] = tenant
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert {"js-orders", "py-orders", "js-logs", "py-logs"} <= set(seen)
    orders = seen["js-orders"]
    described = admin.get("/admin/tenants/js-orders").json()
    assert (orders["shard"], orders["version"]) == (described["shard"], described["version"])
    quota = admin.get("/admin/tenants/js-orders/quota").json()
    assert orders["quota"] == quota["quota"]
    assert isinstance(orders["unfinished"], int)


def test_a_tenant_list_limit_past_100_is_a_400(admin: httpx.Client) -> None:
    response = admin.get("/admin/tenants", params={"limit": "101"})
    assert response.status_code == 400
    assert "limit must be a whole number from 1 to 100" in response.json()["error"]


def test_a_failed_instance_shows_its_error_and_times(
    admin: httpx.Client, client: httpx.Client, dispatcher: Dispatcher
) -> None:
    response = client.post("/t/py-logs/workflows", json={"params": {"raise": "card declined"}})
    instance = response.json()["id"]
    wait_for(client, "py-logs", instance)
    shown = entry(admin, "py-logs", instance)
    assert shown["status"] == "errored"
    assert engine_error(dispatcher, shown["error"], "PaymentDeclined") == "card declined"
    assert shown["output"] is None
    created = datetime.datetime.fromisoformat(shown["createdAt"])
    updated = datetime.datetime.fromisoformat(shown["updatedAt"])
    assert created <= updated <= datetime.datetime.now(datetime.UTC)


def test_a_complete_instance_shows_its_output_and_no_error(
    admin: httpx.Client, client: httpx.Client
) -> None:
    instance = create(client, "js-orders", params={"who": "ops"})
    wait_for(client, "js-orders", instance)
    shown = entry(admin, "js-orders", instance)
    assert (shown["status"], shown["error"]) == ("complete", None)
    assert shown["output"]["greeting"] == "Hello, ops!"


def test_terminate_ends_the_instance_and_is_logged_as_the_operators(
    admin: httpx.Client, client: httpx.Client
) -> None:
    instance = waiting(client)
    response = act(admin, "js-orders", instance, "terminate")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "terminated"
    assert wait_for(client, "js-orders", instance)["status"] == "terminated"
    wait_for_logs(admin, "js-orders", with_message("terminate"), instance=instance)


def test_pause_then_resume_lets_the_instance_finish(
    admin: httpx.Client, client: httpx.Client
) -> None:
    instance = waiting(client)
    assert act(admin, "js-orders", instance, "pause").status_code == 200
    assert wait_for(client, "js-orders", instance, {"paused"})["status"] == "paused"
    assert act(admin, "js-orders", instance, "resume").status_code == 200
    wait_until_waiting_for_event(client, "js-orders", instance)
    event = {"type": "approval", "payload": "ops"}
    client.post(f"/t/js-orders/workflows/{instance}/event", json=event).raise_for_status()
    assert wait_for(client, "js-orders", instance)["status"] == "complete"


def test_restart_runs_a_terminated_instance_again(
    admin: httpx.Client, client: httpx.Client
) -> None:
    instance = waiting(client)
    assert act(admin, "js-orders", instance, "terminate").status_code == 200
    assert wait_for(client, "js-orders", instance)["status"] == "terminated"
    assert act(admin, "js-orders", instance, "restart").status_code == 200
    wait_until_waiting_for_event(client, "js-orders", instance)  # running from the start
    event = {"type": "approval", "payload": "again"}
    client.post(f"/t/js-orders/workflows/{instance}/event", json=event).raise_for_status()
    assert wait_for(client, "js-orders", instance)["output"]["approval"] == "again"


def test_an_unknown_action_is_a_404_and_a_get_on_an_action_a_405(
    admin: httpx.Client, client: httpx.Client
) -> None:
    instance = create(client, "js-orders", params={"who": "x"})
    assert act(admin, "js-orders", instance, "explode").status_code == 404
    response = admin.get(f"/admin/tenants/js-orders/instances/{instance}/terminate")
    assert response.status_code == 405


def test_the_listing_filters_by_creation_time(admin: httpx.Client, client: httpx.Client) -> None:
    before = create(client, "js-logs", params={"say": "early"})
    time.sleep(1.1)
    middle = datetime.datetime.now(datetime.UTC)
    after = create(client, "js-logs", params={"say": "late"})
    since: dict[str, str | int] = {"createdFrom": middle.isoformat(), "limit": 100}
    page = admin.get("/admin/tenants/js-logs/instances", params=since).json()
    listed = [i["id"] for i in page["instances"]]
    assert after in listed and before not in listed
    until: dict[str, str | int] = {"createdBefore": middle.isoformat(), "limit": 100}
    earlier = admin.get("/admin/tenants/js-logs/instances", params=until).json()["instances"]
    assert before in [i["id"] for i in earlier] and after not in [i["id"] for i in earlier]


def test_a_bad_creation_time_is_a_400(admin: httpx.Client) -> None:
    response = admin.get("/admin/tenants/js-logs/instances", params={"createdFrom": "soon"})
    assert response.status_code == 400 and "createdFrom" in response.json()["error"]


def test_an_action_the_engine_refuses_is_a_409_with_its_reason(
    admin: httpx.Client, client: httpx.Client
) -> None:
    instance = create(client, "js-orders", params={"who": "x"})
    assert wait_for(client, "js-orders", instance)["status"] == "complete"
    response = act(admin, "js-orders", instance, "terminate")
    assert response.status_code == 409, response.text
    message = response.json()["error"]
    assert message.startswith(f"the engine refused to terminate '{instance}': ")
    assert "instance.cannot_terminate" in message
