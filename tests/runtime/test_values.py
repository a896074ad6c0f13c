"""Python values cross from a Python tenant, through the envelope, into its run, unchanged."""

from typing import Any

import httpx
import pytest

from tests.conftest import wait_for

pytestmark = pytest.mark.workerd


@pytest.fixture(scope="module")
def seen(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/t/py-probe/values")
    assert response.status_code == 200, response.text
    result = wait_for(client, "py-probe", response.json()["id"])
    assert result["status"] == "complete", result
    return dict(result["output"])


def test_none_arrives_as_none(seen: dict[str, Any]) -> None:
    assert seen["none"] == ["NoneType", None]


def test_nested_dicts_and_lists_arrive_whole(seen: dict[str, Any]) -> None:
    assert seen["nested"] == {
        "list": [
            ["int", 1],
            ["NoneType", None],
            {"deep": [["bool", True], ["bool", False], ["float", 1.5]]},
        ],
        "empty": {},
    }


def test_a_datetime_arrives_as_the_same_datetime(seen: dict[str, Any]) -> None:
    assert seen["when"] == ["datetime", "2026-11-24T12:30:05"]


def test_unicode_text_arrives_unchanged(seen: dict[str, Any]) -> None:
    assert seen["text"] == ["str", "héllo ☃ 𝄞 日本"]


def test_a_large_string_arrives_whole(seen: dict[str, Any]) -> None:
    assert seen["large"] == ["str", 500_000]
