"""A smoke test of a dispatcher as deployed: no debug routes, only the public and admin APIs.

It checks what runs (``/admin/status``), runs JavaScript and Python workflows to completion
(with an event), checks from the outside that tenants are isolated and quotas hold, rolls a
tenant back, and deletes its tenants at the end. ``make smoke URL=https://<admin host>
TOKEN=<ADMIN_TOKEN>`` runs it against a deployed dispatcher; ``make test`` runs it against a
local one configured like production.
"""

from __future__ import annotations

import time
from argparse import Namespace
from typing import Any

import httpx
import pytest

from dwctl.client import AdminClient
from dwctl.code import upload_body
from dwctl.commands.status import health
from tests.smoke.conftest import KINDS, TENANTS, Target

pytestmark = pytest.mark.workerd

FINAL = {"complete", "errored", "terminated"}


def create(client: httpx.Client, tenant: str, **options: Any) -> str:
    response = client.post(f"/t/{tenant}/workflows", json=options)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def poll(
    client: httpx.Client, tenant: str, instance_id: str, done: Any, timeout: float = 120
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/t/{tenant}/workflows/{instance_id}")
        assert response.status_code == 200, response.text
        current = response.json()
        if done(current):
            return current
        assert time.monotonic() < deadline, f"{tenant}/{instance_id} still {current}"
        time.sleep(0.5)


def finished(client: httpx.Client, tenant: str, instance_id: str) -> dict[str, Any]:
    return dict(poll(client, tenant, instance_id, lambda s: s["status"] in FINAL))


def waiting(status: dict[str, Any]) -> bool:
    """Waiting for its event: ``waiting`` on Cloudflare; locally ``running`` with the greet
    step's output recorded."""
    if status["status"] in FINAL:
        raise AssertionError(f"finished before its event: {status}")
    return status["status"] == "waiting" or bool(status.get("__LOCAL_DEV_STEP_OUTPUTS"))


def test_the_dispatcher_serves_no_debug_routes(admin: httpx.Client) -> None:
    response = admin.get("/admin/debug/details")
    assert response.status_code == 404
    assert response.json() == {"error": "unknown admin route"}


def test_dwctl_health_passes_without_accepting_dev_only_switches(admin: httpx.Client) -> None:
    """What an operator runs after a deploy: token, shards, private details, no dev-only
    switch on."""
    result = health(AdminClient(admin), Namespace(dev=False))
    assert result.exit_code == 0, result.text
    assert "ok    dev-only debugRoutes is off" in result.text.splitlines()


def test_the_dispatcher_serves_no_wake_route(admin: httpx.Client) -> None:
    """The local engine's wake-up after a restart is make dev's, never a deployment's."""
    response = admin.post("/admin/dev/wake", json={})
    assert response.status_code == 404
    assert response.json() == {"error": "unknown admin route"}


def test_the_status_says_no_dev_only_route_or_check_is_on(admin: httpx.Client) -> None:
    assert AdminClient(admin).status()["devOnly"] == {
        "debugRoutes": False,
        "wakeRoute": False,
        "uploadProbe": False,
    }


def test_the_status_reports_every_private_detail_in_use_and_every_shard_bound(
    admin: httpx.Client,
) -> None:
    status = AdminClient(admin).status()
    assert status["library"]["version"], status
    assert status["runtime"]["sdk"]["version"], status
    not_in_use = [d for d in status["privateDetails"] if d["inUse"] is not True]
    assert not_in_use == [], not_in_use
    assert status["allDetailsInUse"] is True
    assert all(shard["bound"] for shard in status["shards"]), status["shards"]


def test_the_admin_api_does_not_answer_on_the_tenants_hostname(
    target: Target, client: httpx.Client
) -> None:
    if target.public_url is None:
        pytest.skip("no tenants' hostname given (make smoke PUBLIC_URL=https://...)")
    headers = {"authorization": f"Bearer {target.token}"}
    with httpx.Client(base_url=target.public_url, headers=headers, timeout=60) as public:
        answer = public.get("/admin/status")
        assert answer.status_code == 404, answer.text
        assert answer.json() == {"error": "not found: use /t/<tenant>/... or /admin/..."}
        tenant = target.tenant("js", "public")
        instance_id = create(public, tenant, params={"who": "public"})
    assert finished(client, tenant, instance_id)["status"] == "complete"


def test_tenant_traffic_does_not_answer_on_the_admin_hostname(
    target: Target, admin: httpx.Client
) -> None:
    """The console's origin serves only the dispatcher's own pages: no tenant's page, script,
    service worker or cookie shares it with the admin token."""
    if AdminClient(admin).status()["adminHostname"] is None:
        pytest.skip("the dispatcher has no ADMIN_HOSTNAME: it answers everything on any host")
    tenant = target.tenant("js", "admin-host")
    with target.client() as on_admin_host:
        answer = on_admin_host.get(f"/t/{tenant}/workflows/any")
    assert answer.status_code == 404, answer.text
    assert answer.json() == {
        "error": "tenant traffic is not served on the admin hostname: use the tenants' hostname"
    }


def test_the_admin_api_refuses_a_wrong_token(target: Target) -> None:
    with target.client() as other:
        answer = other.get("/admin/status", headers={"authorization": "Bearer wrong"})
        assert answer.status_code == 401, answer.text


@pytest.mark.parametrize("kind", KINDS)
def test_a_workflow_runs_to_completion_through_its_tenant(
    target: Target, client: httpx.Client, kind: str
) -> None:
    tenant = target.tenant(kind, "run")
    instance_id = create(client, tenant, params={"who": "smoke"})
    result = finished(client, tenant, instance_id)
    assert result["status"] == "complete", result
    assert result["output"]["kind"] == kind
    assert result["output"]["greeting"] == "Hello, smoke!"
    assert result["output"]["instanceId"] == instance_id


@pytest.mark.parametrize("kind", KINDS)
def test_a_workflow_waits_for_its_event_and_completes_with_it(
    target: Target, client: httpx.Client, kind: str
) -> None:
    tenant = target.tenant(kind, "event")
    instance_id = create(client, tenant, id="order-1", params={"waitForEvent": True})
    poll(client, tenant, instance_id, waiting)
    sent = client.post(
        f"/t/{tenant}/workflows/{instance_id}/event",
        json={"type": "approval", "payload": {"ok": kind}},
    )
    assert sent.status_code == 200, sent.text
    result = finished(client, tenant, instance_id)
    assert result["status"] == "complete", result
    assert result["output"]["approval"] == {"ok": kind}


def test_tenants_do_not_see_each_others_instances_and_may_share_ids(
    target: Target, client: httpx.Client
) -> None:
    owner, other = target.tenant("js", "owner"), target.tenant("py", "other")
    create(client, owner, id="shared-1", params={"who": "owner"})
    assert finished(client, owner, "shared-1")["output"]["greeting"] == "Hello, owner!"
    seen = client.get(f"/t/{other}/workflows/shared-1")
    assert seen.status_code == 404, seen.text
    assert seen.json()["name"] == "InstanceNotFoundError"
    create(client, other, id="shared-1", params={"who": "other"})
    assert finished(client, other, "shared-1")["output"]["greeting"] == "Hello, other!"
    assert finished(client, owner, "shared-1")["output"]["greeting"] == "Hello, owner!"


@pytest.mark.parametrize("kind", KINDS)
def test_a_quota_refuses_creates_past_it_and_creates_nothing(
    target: Target, admin: httpx.Client, client: httpx.Client, kind: str
) -> None:
    tenant = target.tenant(kind, "quota")
    AdminClient(admin).quota(tenant, creates_per_second=0.01, burst=1)
    create(client, tenant, id="first", params={})
    refused = client.post(f"/t/{tenant}/workflows", json={"id": "second", "params": {}})
    assert refused.status_code == 429, refused.text
    assert refused.json()["name"] == "QuotaExceededError"
    assert client.get(f"/t/{tenant}/workflows/second").status_code == 404
    listed = AdminClient(admin).instances(tenant)["instances"]
    assert [row["id"] for row in listed] == ["first"]


def test_a_rollback_brings_an_earlier_version_back_for_new_instances(
    target: Target, admin: httpx.Client, client: httpx.Client
) -> None:
    tenant = target.tenant("js", "rollback")
    api = AdminClient(admin)
    first = api.tenant(tenant)["version"]
    body = upload_body(TENANTS / "js-smoke")
    body["modules"]["index.js"] = body["modules"]["index.js"].replace("'v1'", "'v2'")
    api.upload(tenant, body)
    assert finished(client, tenant, create(client, tenant, params={}))["output"]["codeTag"] == "v2"
    api.roll_back(tenant, first)
    assert finished(client, tenant, create(client, tenant, params={}))["output"]["codeTag"] == "v1"


def test_an_unknown_tenant_is_not_found(target: Target, client: httpx.Client) -> None:
    assert client.get(f"/t/smoke-{target.run}-nobody/workflows/x").status_code == 404
