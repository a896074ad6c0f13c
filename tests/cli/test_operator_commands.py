"""dwctl's operator commands against the session's dispatcher: tenants with their state, a
tenant's logs (and following them), and the actions on instances."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.cli.conftest import Dwctl
from tests.conftest import ROOT, Dispatcher, create, wait_for, wait_until_waiting_for_event
from tests.e2e.logs_helpers import upload_log_tenants, wait_for_logs

pytestmark = pytest.mark.workerd


@pytest.fixture(scope="module", autouse=True)
def log_tenants(admin: httpx.Client) -> Iterator[None]:
    upload_log_tenants(admin)
    yield


def test_tenants_lists_each_with_its_shard_version_and_quota(
    dwctl: Dwctl,
    admin: httpx.Client,
) -> None:
    code, out, err = dwctl("tenants")
    assert code == 0, err
    described = admin.get("/admin/tenants/js-orders").json()
    [row] = [line for line in out.splitlines() if line.split()[0] == "js-orders"]
    assert row.startswith(f"js-orders  {described['shard']}  {described['version']}  unfinished ")
    quota = admin.get("/admin/tenants/js-orders/quota").json()["quota"]
    expected = f"quota {quota['creates_per_second']}/s burst {quota['burst']}"
    assert row.endswith(f"{expected} max {quota['max_unfinished']}"), row


def test_logs_shows_a_python_tenants_print_and_failure_oldest_first(
    dwctl: Dwctl,
    admin: httpx.Client,
    client: httpx.Client,
) -> None:
    text = f"cli-{uuid.uuid4().hex[:8]}"
    response = client.post("/t/py-logs/workflows", json={"params": {"say": text, "raise": text}})
    instance = response.json()["id"]
    wait_for(client, "py-logs", instance)
    wait_for_logs(admin, "py-logs", lambda es: sum(text in e["message"] for e in es) >= 2)
    code, out, err = dwctl("logs", "py-logs", "--instance", instance)
    assert code == 0, err
    lines = out.splitlines()
    printed = [i for i, line in enumerate(lines) if f"run {instance} says {text}" in line]
    failed = [i for i, line in enumerate(lines) if "PaymentDeclined: Traceback" in line]
    assert printed and failed, out
    assert f"log   run [{instance}]" in lines[printed[0]]


def test_logs_follow_prints_new_entries_as_they_come(
    dispatcher: Dispatcher, client: httpx.Client
) -> None:
    env = {**os.environ, "DW_URL": dispatcher.url, "DW_ADMIN_TOKEN": dispatcher.token}
    follower = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "dwctl"), "logs", "js-logs", "--follow", "--limit", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(3)  # it has printed the newest entry and polls for newer ones
        text = f"followed-{uuid.uuid4().hex[:8]}"
        client.get("/t/js-logs/log", params={"text": text}).raise_for_status()
        deadline = time.monotonic() + 30
        assert follower.stdout is not None
        while time.monotonic() < deadline:
            line = follower.stdout.readline()
            if text in line:
                assert "log   fetch" in line and line.rstrip().endswith(text)
                break
        else:
            raise AssertionError("dwctl logs --follow never printed the new line")
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(timeout=15)
    assert follower.returncode == 0, follower.stderr.read() if follower.stderr else ""


def test_terminate_and_terminate_unfinished(
    dwctl: Dwctl,
    client: httpx.Client,
) -> None:
    ids = []
    for _ in range(2):
        instance = f"cli-{uuid.uuid4().hex[:8]}"
        create(client, "js-rival", id=instance, params={"waitForEvent": True})
        wait_until_waiting_for_event(client, "js-rival", instance)
        ids.append(instance)
    code, out, err = dwctl("terminate", "js-rival", ids[0])
    assert code == 0, err
    assert out.strip() == f"js-rival/{ids[0]}: terminate done, now terminated"
    assert dwctl("terminate-unfinished", "js-rival")[0] == 1  # asks for --yes
    code, out, err = dwctl("terminate-unfinished", "js-rival", "--yes")
    assert code == 0 and out.startswith("js-rival: "), err
    assert wait_for(client, "js-rival", ids[1])["status"] == "terminated"


def test_an_action_on_an_unknown_instance_says_so(dwctl: Dwctl) -> None:
    code, _, err = dwctl("pause", "js-orders", "no-such-instance")
    assert code != 0 and "no-such-instance" in err
