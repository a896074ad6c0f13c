"""GET /admin/status: the versions that run, the shards, every private detail in use or why not."""

from __future__ import annotations

import re
import time
import tomllib
from typing import Any

import httpx
import pytest

import dynamic_workflows
from dispatcher.config import OPEN_SHARDS, SHARDS
from tests.conftest import ROOT, Dispatcher, create, wait_for
from tests.runtime.test_private_details import LIBRARY_DETAILS, fallback_lines

pytestmark = pytest.mark.workerd

ROUTING = "dispatcher-routing-module"


def status(admin: httpx.Client) -> dict[str, Any]:
    response = admin.get("/admin/status")
    assert response.status_code == 200, response.text
    return dict(response.json())


def pinned_sdk() -> str:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (sdk,) = [d for d in dependencies if d.startswith("workers-runtime-sdk==")]
    return str(sdk.split("==")[1])


def test_the_status_names_the_library_and_runtime_versions(admin: httpx.Client) -> None:
    answer = status(admin)
    assert answer["library"] == {
        "name": "dynamic-workflows",
        "version": dynamic_workflows.__version__,
    }
    assert re.fullmatch(r"3\.1[3-9]\.[0-9]+", answer["runtime"]["python"]), answer["runtime"]
    assert answer["runtime"]["pyodide"], answer["runtime"]
    assert answer["runtime"]["sdk"] == {"name": "workers-runtime-sdk", "version": pinned_sdk()}


def test_the_status_lists_every_shard_bound_and_whether_it_is_open(admin: httpx.Client) -> None:
    shards = status(admin)["shards"]
    assert [shard["binding"] for shard in shards] == list(SHARDS)
    assert all(shard["bound"] for shard in shards), shards
    assert [shard["binding"] for shard in shards if shard["open"]] == list(OPEN_SHARDS)
    assert [shard["binding"] for shard in shards if shard["legacy"]] == [SHARDS[0]]


def test_the_status_says_which_dev_only_routes_and_checks_are_on(
    admin: httpx.Client, dispatcher: Dispatcher
) -> None:
    """The test session's dev server turns on all three, as make dev does (the smoke suite's
    production-configured one, and a deployed dispatcher, none: tests/smoke)."""
    if dispatcher.server is None:
        pytest.skip("a deployed dispatcher runs none of them")
    on = dispatcher.server.probe is not None
    assert status(admin)["devOnly"] == {"debugRoutes": True, "wakeRoute": True, "uploadProbe": on}


def test_every_private_detail_is_listed_tried_and_in_use(admin: httpx.Client) -> None:
    answer = status(admin)
    details = {detail["name"]: detail for detail in answer["privateDetails"]}
    assert {*LIBRARY_DETAILS, ROUTING} <= set(details)
    for detail in details.values():
        assert detail["inUse"] is True, detail
        assert detail["what"] and detail["fallback"], detail
    assert answer["allDetailsInUse"] is True


def documented_details() -> dict[str, str]:
    """docs/private-details.md's table: each detail's name and the cell naming its tests."""
    rows = {}
    for line in (ROOT / "docs" / "private-details.md").read_text().splitlines():
        named = re.match(r"\| `([a-z-]+)`", line)
        if named:
            rows[named.group(1)] = line.rstrip(" |").rsplit(" | ", 1)[1]
    return rows


def test_every_detail_the_status_lists_is_documented_with_tests_that_exist(
    admin: httpx.Client,
) -> None:
    documented = documented_details()
    assert {detail["name"] for detail in status(admin)["privateDetails"]} == set(documented)
    test_sources = "\n".join(path.read_text() for path in (ROOT / "tests").rglob("test_*.py"))
    for name, cell in documented.items():
        files = re.findall(r"`(tests/[\w/]+(?:\.py)?)", cell)
        tests = re.findall(r"\b(test_\w+)", re.sub(r"tests/[\w/]+(\.py)?(::)?", "", cell))
        assert files or tests, (name, cell)
        for path in files:
            assert (ROOT / path).exists(), (name, path)
        for test in tests:
            assert f"def {test}(" in test_sources, (name, test)


def test_the_status_needs_the_token_and_takes_only_get(
    dispatcher: Dispatcher, admin: httpx.Client
) -> None:
    with httpx.Client(base_url=dispatcher.url) as anonymous:
        assert anonymous.get("/admin/status").status_code == 401
    assert admin.post("/admin/status").status_code == 405


@pytest.fixture
def routing_forced(admin: httpx.Client) -> Any:
    response = admin.post(f"/admin/debug/fallback/{ROUTING}", json={"reason": "forced by test"})
    assert response.status_code == 200, response.text
    yield
    taken = admin.post(f"/admin/debug/fallback/{ROUTING}", json={"reason": None})
    (entry,) = [e for e in taken.json()["details"] if e["name"] == ROUTING]
    assert entry["inUse"] is True, entry


def test_a_routing_fallback_shows_in_the_status_and_logs_one_json_line(
    admin: httpx.Client, client: httpx.Client, dispatcher: Dispatcher, routing_forced: None
) -> None:
    answer = status(admin)
    (entry,) = [d for d in answer["privateDetails"] if d["name"] == ROUTING]
    assert (entry["inUse"], entry["reason"]) == (False, "forced by test")
    assert answer["allDetailsInUse"] is False
    # Tenant traffic still reaches the tenant, routed from Python.
    instance_id = create(client, "js-orders", id="routed-from-python", params={"who": "py"})
    assert wait_for(client, "js-orders", instance_id)["status"] == "complete"
    deadline = time.monotonic() + 10
    while not fallback_lines(dispatcher, ROUTING) and time.monotonic() < deadline:
        time.sleep(0.2)
    lines = fallback_lines(dispatcher, ROUTING)
    assert lines, "no fallback line in the log"
    # One line per isolate, at its first fallback (a dev-server restart makes a new isolate,
    # and another test may have forced this one first): forcing again adds none.
    for line in lines:
        assert line["event"] == "dynamic_workflows.fallback"
        assert line["fallback"] == entry["fallback"]
        assert line["reason"]
    admin.post(f"/admin/debug/fallback/{ROUTING}", json={"reason": "forced again"})
    time.sleep(0.5)
    assert len(fallback_lines(dispatcher, ROUTING)) == len(lines)
