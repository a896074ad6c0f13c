"""Per-tenant logs: what tenant code prints and throws, through the dispatcher's Tail Worker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Dispatcher, wait_for
from tests.e2e.logs_helpers import (
    log_lines,
    logs,
    upload_log_tenants,
    wait_for_logs,
    with_message,
)

pytestmark = pytest.mark.workerd


@pytest.fixture(scope="module", autouse=True)
def log_tenants(admin: httpx.Client) -> Iterator[None]:
    upload_log_tenants(admin)
    yield


def named(entry: dict[str, object], name: str) -> str:
    """The message of an entry for a JavaScript error named ``name``, as the dispatcher
    received it over RPC: with its name, or (as the pinned workerd delivers a run's error
    here) named ``Error`` with the name folded into the message."""
    message = str(entry["message"])
    if entry["name"] == name:
        return message
    assert entry["name"] == "Error" and message.startswith(f"{name}: "), entry
    return message.removeprefix(f"{name}: ")


def marker() -> str:
    return f"m-{uuid.uuid4().hex[:10]}"


def run(client: httpx.Client, tenant: str, **params: object) -> str:
    response = client.post(f"/t/{tenant}/workflows", json={"params": params})
    assert response.status_code == 200, response.text
    instance = str(response.json()["id"])
    wait_for(client, tenant, instance)
    return instance


def test_a_javascript_tenants_console_log_reaches_its_logs(
    admin: httpx.Client, client: httpx.Client
) -> None:
    text = marker()
    assert client.get("/t/js-logs/log", params={"text": text}).status_code == 200
    [entry] = [
        e for e in wait_for_logs(admin, "js-logs", with_message(text)) if text in e["message"]
    ]
    assert entry["message"] == text
    assert entry["level"] == "log" and entry["source"] == "fetch" and entry["instance"] is None


def test_a_python_tenants_print_reaches_its_logs(admin: httpx.Client, client: httpx.Client) -> None:
    text = marker()
    assert client.get("/t/py-logs/log", params={"text": text}).status_code == 200
    entries = wait_for_logs(admin, "py-logs", with_message(text))
    [entry] = [e for e in entries if text in e["message"]]
    assert (entry["message"], entry["level"], entry["source"]) == (text, "log", "fetch")


def test_an_exception_in_a_javascript_fetch_is_logged_with_its_name(
    admin: httpx.Client, client: httpx.Client
) -> None:
    text = marker()
    assert client.get("/t/js-logs/throw", params={"text": text}).status_code == 502
    entries = wait_for_logs(admin, "js-logs", with_message(text), level="error")
    [entry] = [e for e in entries if text in e["message"]]
    assert entry["name"] == "TypeError" and entry["message"] == f"js fetch threw {text}"


def test_an_exception_in_a_python_fetch_is_logged_as_its_class_with_the_traceback(
    admin: httpx.Client, client: httpx.Client
) -> None:
    text = marker()
    assert client.get("/t/py-logs/throw", params={"text": text}).status_code == 502
    entries = wait_for_logs(admin, "py-logs", with_message(text), level="error")
    [entry] = [e for e in entries if text in e["message"]]
    assert entry["name"] == "RuntimeError"
    assert entry["message"].startswith("Traceback (most recent call last):")
    assert entry["message"].rstrip().endswith(f"RuntimeError: py fetch threw {text}")


def test_a_failed_python_run_is_recorded_with_its_exception_and_instance(
    admin: httpx.Client, client: httpx.Client
) -> None:
    text = marker()
    instance = run(client, "py-logs", say="before failing", **{"raise": text})
    entries = wait_for_logs(admin, "py-logs", with_message(text), instance=instance)
    [failure] = [e for e in entries if e["level"] == "error"]
    assert failure["name"] == "PaymentDeclined" and failure["source"] == "run"
    assert failure["message"].rstrip().endswith(f"PaymentDeclined: {text}")
    printed = wait_for_logs(admin, "py-logs", with_message("before failing"), instance=instance)
    assert f"run {instance} says before failing" in [e["message"] for e in printed]


def test_a_failed_javascript_run_is_recorded_with_its_error_and_instance(
    admin: httpx.Client, client: httpx.Client
) -> None:
    text = marker()
    instance = run(client, "js-logs", say="x", fail=text)
    entries = wait_for_logs(admin, "js-logs", with_message(text), instance=instance)
    [failure] = [e for e in entries if e["level"] == "error"]
    assert named(failure, "NonRetryableError") == text


def test_what_a_run_prints_carries_its_instance(admin: httpx.Client, client: httpx.Client) -> None:
    first, second = marker(), marker()
    one = run(client, "js-logs", say=first)
    two = run(client, "js-logs", say=second)
    for instance, said in ((one, first), (two, second)):
        entries = wait_for_logs(admin, "js-logs", with_message(said), instance=instance)
        messages = [e["message"] for e in entries]
        assert f"run {instance} says {said}" in messages
        assert f"step one of {instance}" in messages
        assert all(e["instance"] == instance and e["source"] == "run" for e in entries)


def test_the_level_filter_keeps_only_those_levels(
    admin: httpx.Client, client: httpx.Client
) -> None:
    text = marker()
    client.get("/t/js-logs/log", params={"text": text, "warn": "1"}).raise_for_status()
    warned = wait_for_logs(admin, "js-logs", with_message(text), level="warn")
    assert [e["message"] for e in warned if text in e["message"]] == [f"warned: {text}"]
    assert {e["level"] for e in logs(admin, "js-logs", level="warn,error")["logs"]} <= {
        "warn",
        "error",
    }


def test_pages_follow_the_cursor_newest_first_and_after_gives_newer_ones_oldest_first(
    admin: httpx.Client, client: httpx.Client
) -> None:
    text = marker()
    client.get("/t/py-logs/log", params={"text": text, "lines": 5}).raise_for_status()
    wait_for_logs(admin, "py-logs", with_message(f"{text} 4"))
    first = logs(admin, "py-logs", limit=3)
    second = logs(admin, "py-logs", limit=3, cursor=first["nextCursor"])
    seqs = [e["seq"] for e in first["logs"] + second["logs"]]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 6
    oldest = min(seqs)
    newer = logs(admin, "py-logs", after=oldest, limit=200)["logs"]
    assert [e["seq"] for e in newer][:5] == sorted(seqs)[1:]


def test_each_entry_is_one_json_line_in_the_dispatchers_log(
    admin: httpx.Client, client: httpx.Client, dispatcher: Dispatcher
) -> None:
    if dispatcher.server is None:
        pytest.skip("the dispatcher's log is read on a local dev server only")
    text = marker()
    instance = run(client, "js-logs", say="x", fail=text)
    [line] = log_lines(dispatcher, text)
    uid = admin.get("/admin/tenants/js-logs").json()["uid"]
    assert line["tenant"] == "js-logs" and line["tenantUid"] == uid
    assert (line["instance"], line["level"]) == (instance, "error")
    assert named(line, "NonRetryableError") == text


@pytest.mark.parametrize(
    ("query", "fix"),
    [
        ({"level": "loud"}, "level must be among"),
        ({"limit": "0"}, "limit must be"),
        ({"after": "x"}, "after must be"),
        ({"cursor": "not-a-cursor"}, "cursor is not one this API returned"),
    ],
)
def test_a_bad_logs_query_is_a_400_that_names_the_parameter(
    admin: httpx.Client, query: dict[str, str], fix: str
) -> None:
    response = admin.get("/admin/tenants/js-logs/logs", params=query)
    assert response.status_code == 400 and fix in response.json()["error"], response.text


def test_the_cursor_of_the_instance_listing_is_not_a_logs_cursor(admin: httpx.Client) -> None:
    from dispatcher import cursor  # noqa: PLC0415 - pure module

    response = admin.get("/admin/tenants/js-logs/logs", params={"cursor": cursor.encode(5)})
    assert response.status_code == 400, response.text


def test_an_unknown_tenants_logs_are_a_404(admin: httpx.Client) -> None:
    assert admin.get("/admin/tenants/no-such-tenant/logs").status_code == 404
