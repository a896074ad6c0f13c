"""Python values cross from a Python tenant, through the envelope, into its run, unchanged."""

from typing import Any

import httpx
import pytest

from tests.conftest import poll_status, wait_for

pytestmark = pytest.mark.workerd


def run_output(client: httpx.Client, route: str) -> dict[str, Any]:
    """What the py-probe's run saw of the params that ``route`` created it with."""
    response = client.post(f"/t/py-probe/{route}")
    assert response.status_code == 200, response.text
    result = wait_for(client, "py-probe", response.json()["id"])
    assert result["status"] == "complete", result
    return dict(result["output"])


@pytest.fixture(scope="module")
def seen(client: httpx.Client) -> dict[str, Any]:
    return run_output(client, "values")


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


@pytest.fixture(scope="module")
def seen_json(client: httpx.Client) -> dict[str, Any]:
    return run_output(client, "json-values")


def test_floats_arrive_as_the_same_numbers(seen_json: dict[str, Any]) -> None:
    assert seen_json["floats"] == [
        ["float", 0.1],
        ["float", 1.5],
        ["float", 1e16],
        ["float", 1e-7],
        ["float", 1e300],
        ["int", 0],  # -0.0: JSON, which the engine stores, has no negative zero
    ]


def test_integers_of_53_bits_arrive_exactly(seen_json: dict[str, Any]) -> None:
    # (2**53 - 1 itself also arrives, but the SDK returns it from run() as a BigInt.)
    assert seen_json["ints"] == [["int", 0], ["int", -1], ["int", 2**52 + 1], ["int", -(2**52 + 1)]]


def test_text_with_escapes_and_unicode_arrives_unchanged(seen_json: dict[str, Any]) -> None:
    assert seen_json["text"] == ["str", 'héllo ☃ 𝄞 日本 \t\n\u0001 "quoted" \\']


def test_json_nesting_none_and_an_empty_key_arrive_whole(seen_json: dict[str, Any]) -> None:
    assert seen_json["none"] == ["NoneType", None]
    assert seen_json["nested"] == {
        "list": [["int", 1], ["NoneType", None], {"deep": [["bool", True], ["bool", False]]}],
        "empty": {},
        "": ["str", "empty key"],
    }


def test_an_integer_a_javascript_number_cannot_hold_is_refused(client: httpx.Client) -> None:
    response = client.post("/t/py-probe/huge-int")
    assert response.status_code == 400, response.text
    assert "InvalidParamsError" in response.text


def test_large_and_tiny_numbers_from_a_javascript_tenant_arrive_unchanged(
    client: httpx.Client, admin: httpx.Client
) -> None:
    assert client.post("/t/js-probe/large-numbers").status_code == 200
    result = poll_status(admin, "/admin/tenants/js-probe/instances/numbers-1")
    assert result["output"] == {"payload": {"big": 1e300, "tiny": 1e-7, "exact": 2**60}}
