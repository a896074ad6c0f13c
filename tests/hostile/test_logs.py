"""Attacks on the per-tenant logs: another tenant's store, a forged identity, a flood."""

from __future__ import annotations

import uuid

import httpx
import pytest

from dispatcher.config import LOG_LIMITS
from tests.conftest import Dispatcher
from tests.e2e.logs_helpers import TENANTS, log_lines, logs, wait_for_logs, with_message
from tests.hostile.conftest import Victim
from tools.tenant_code import upload, upload_body

pytestmark = pytest.mark.workerd

FORGER = "js-log-forger"


def marker() -> str:
    return f"forged-{uuid.uuid4().hex[:10]}"


def test_a_tenant_cannot_write_into_another_tenants_logs(
    admin: httpx.Client, client: httpx.Client, victim: Victim
) -> None:
    before = logs(admin, victim.tenant, limit=200)
    text = marker()
    query = {"victim": victim.tenant, "uid": victim.uid, "text": text}
    assert client.get(f"/t/{FORGER}/forge", params=query).status_code == 200
    assert client.get(f"/t/{FORGER}/call", params=query).status_code == 200
    own = wait_for_logs(admin, FORGER, lambda es: sum(text in e["message"] for e in es) >= 3)
    assert len([e for e in own if text in e["message"]]) == 3  # filed under the forger
    after = logs(admin, victim.tenant, limit=200)
    assert not [e for e in after["logs"] if text in e["message"]]
    assert after["stored"] == before["stored"]
    victim.assert_untouched(client)


def test_a_forged_identity_in_a_log_line_stays_the_forgers(
    admin: httpx.Client, client: httpx.Client, dispatcher: Dispatcher, victim: Victim
) -> None:
    if dispatcher.server is None:
        pytest.skip("the dispatcher's log is read on a local dev server only")
    text = marker()
    query = {"victim": victim.tenant, "uid": victim.uid, "text": text}
    assert client.get(f"/t/{FORGER}/forge", params=query).status_code == 200
    wait_for_logs(admin, FORGER, with_message(text))
    lines = log_lines(dispatcher, text)
    forger_uid = admin.get(f"/admin/tenants/{FORGER}").json()["uid"]
    written = [line for line in lines if line.get("tenantUid") == forger_uid]
    assert len(written) == 2  # the error and the warning (info-level lines are not printed here)
    for line in written:
        assert (line["tenant"], line["instance"]) == (FORGER, None)
        assert victim.tenant in line["message"]  # what it printed, kept as text
    # The dev server also prints the forger's own output (production keeps a dynamic worker's
    # console out of the dispatcher's logs): each line claiming the victim is exactly a line
    # the dispatcher filed under the forger.
    claimed = [line for line in lines if line not in written]
    assert claimed, "the forger's own printed line is expected in the local log"
    for line in claimed:
        assert line["raw"] in {w["message"] for w in written}, line
    victim.assert_untouched(client)


def test_no_log_writing_name_is_reachable_through_the_binding_a_tenant_holds(
    client: httpx.Client,
) -> None:
    response = client.get(f"/t/{FORGER}/call", params={"victim": "js-orders", "text": "x"})
    for name, result in response.json().items():
        assert result == f"Method {name} does not exist", (name, result)


def test_a_flood_stays_within_the_store_and_the_dropped_lines_are_counted(
    admin: httpx.Client, client: httpx.Client, victim: Victim
) -> None:
    victim_before = logs(admin, victim.tenant)["stored"]
    before = logs(admin, FORGER)["stored"]
    text = marker()
    requests, lines, size = 12, 150, 1000
    for _ in range(requests):
        query: dict[str, str | int] = {"text": text, "lines": lines, "size": size}
        assert client.get(f"/t/{FORGER}/flood", params=query).status_code == 200
    last = f"{text} {lines - 1} "
    wait_for_logs(admin, FORGER, lambda es: bool(es) and es[0]["message"].startswith(last))
    stored = logs(admin, FORGER)["stored"]
    assert stored["entries"] <= LOG_LIMITS.entries
    assert stored["bytes"] <= LOG_LIMITS.bytes
    # Each request's last per_invocation lines reach the store (workerd may cut a flood of
    # console output short before the tail sees it; the tail counts what it leaves out):
    # every one of them is stored or counted as dropped.
    arrived = (stored["entries"] - before["entries"]) + (stored["dropped"] - before["dropped"])
    assert arrived >= requests * LOG_LIMITS.per_invocation
    assert stored["dropped"] > before["dropped"]
    assert logs(admin, victim.tenant)["stored"] == victim_before
    victim.assert_untouched(client)


def test_one_huge_line_is_cut_to_the_entry_limit(admin: httpx.Client, client: httpx.Client) -> None:
    text = marker()
    query: dict[str, str | int] = {"text": text, "lines": 1, "size": 100_000}
    assert client.get(f"/t/{FORGER}/flood", params=query).status_code == 200
    [entry] = wait_for_logs(admin, FORGER, with_message(text), limit=5)[:1]
    assert len(entry["message"].encode()) <= LOG_LIMITS.message_bytes
    assert entry["message"].endswith("cut]")


def test_a_tenant_uploaded_under_a_deleted_name_sees_none_of_its_logs(
    admin: httpx.Client, client: httpx.Client
) -> None:
    """The logs live in the identity's index, not under the name: a new owner of the name
    starts with an empty store."""
    name, text = f"reborn-logs-{uuid.uuid4().hex[:6]}", marker()
    code = upload_body(TENANTS / "js-logs")
    upload(admin, name, code)
    assert client.get(f"/t/{name}/log", params={"text": text}).status_code == 200
    wait_for_logs(admin, name, with_message(text))
    assert admin.delete(f"/admin/tenants/{name}").status_code == 200
    upload(admin, name, code)
    after = logs(admin, name, limit=200)
    assert after["logs"] == [], after
    assert after["stored"]["entries"] == 0 and after["stored"]["dropped"] == 0, after
    assert admin.delete(f"/admin/tenants/{name}").status_code == 200


def test_a_deleted_tenants_log_store_takes_no_late_batch(
    admin: httpx.Client, client: httpx.Client
) -> None:
    """A tail event or batch that reaches the index after DELETE cleared it stores nothing:
    no entries of a deleted tenant stay behind under its identity."""
    name, text = f"late-logs-{uuid.uuid4().hex[:6]}", marker()
    stored = admin.put(f"/admin/tenants/{name}", json=upload_body(TENANTS / "js-logs"))
    assert stored.status_code == 201, stored.text
    uid = stored.json()["uid"]
    assert client.get(f"/t/{name}/log", params={"text": text}).status_code == 200
    wait_for_logs(admin, name, with_message(text))
    assert admin.delete(f"/admin/tenants/{name}").status_code == 200
    entry = {"at": 0, "level": "log", "source": "fetch", "instance": None, "name": None}
    late = {"entries": [{**entry, "message": text}], "dropped": 3}
    after = admin.post(f"/admin/debug/index-logs/{uid}", json=late)
    assert after.status_code == 200, after.text
    assert after.json() == {"entries": 0, "bytes": 0, "dropped": 0}
