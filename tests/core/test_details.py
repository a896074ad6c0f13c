"""The private-details registry: what each detail is, whether in use, one log line a fallback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import count

import pytest

import dynamic_workflows
from dynamic_workflows.core import details

_SERIAL = count()


@pytest.fixture
def logged() -> Iterator[list[str]]:
    lines: list[str] = []
    original = details.warn[0]
    details.warn[0] = lines.append
    yield lines
    details.warn[0] = original


def fresh_name() -> str:
    return f"test-detail-{next(_SERIAL)}"


def entry(name: str) -> dict[str, object]:
    (found,) = [e for e in dynamic_workflows.private_details() if e["name"] == name]
    return found


def test_every_library_detail_is_listed_with_what_it_is_and_its_fallback() -> None:
    listed = {e["name"]: e for e in dynamic_workflows.private_details()}
    for name in details.LIBRARY_DETAILS:
        assert set(listed[name]) == {"name", "what", "inUse", "fallback", "reason"}
        assert listed[name]["what"] and listed[name]["fallback"]


def test_a_detail_not_tried_yet_is_in_use_none() -> None:
    # No test on CPython tries this one: workerd's runtime is where it is tried.
    what, fallback = details.LIBRARY_DETAILS["error-thenable"]
    assert entry("error-thenable") == {
        "name": "error-thenable",
        "what": what,
        "inUse": None,
        "fallback": fallback,
        "reason": None,
    }


def test_a_detail_in_use_logs_nothing(logged: list[str]) -> None:
    name = fresh_name()
    dynamic_workflows.record_detail(name, True, what="w", fallback="f")
    assert entry(name)["inUse"] is True
    assert entry(name)["reason"] is None
    assert logged == []


def test_the_first_fallback_logs_one_json_line_naming_the_detail_and_the_reason(
    logged: list[str],
) -> None:
    name = fresh_name()
    dynamic_workflows.record_detail(name, False, "gone", what="w", fallback="slower path")
    assert [json.loads(line) for line in logged] == [
        {
            "event": "dynamic_workflows.fallback",
            "detail": name,
            "reason": "gone",
            "fallback": "slower path",
        }
    ]
    assert entry(name)["inUse"] is False
    assert entry(name)["reason"] == "gone"


def test_a_detail_that_falls_back_again_logs_no_second_line(logged: list[str]) -> None:
    name = fresh_name()
    for _ in range(3):
        dynamic_workflows.record_detail(name, False, "gone")
        dynamic_workflows.record_detail(name, True)
    assert len(logged) == 1
    assert entry(name)["inUse"] is True


def test_a_fallback_without_a_reason_says_unknown(logged: list[str]) -> None:
    name = fresh_name()
    dynamic_workflows.record_detail(name, False)
    assert entry(name)["reason"] == "unknown"
    assert json.loads(logged[0])["reason"] == "unknown"


def test_the_version_is_the_packages() -> None:
    assert dynamic_workflows.__version__ == "0.1.0"
