"""Request handling before any handler runs: body limits, bounded JSON, forwarded headers."""

import time

import pytest

from dispatcher.http import (
    CREDENTIAL_HEADERS,
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    RequestError,
    admin_host_allowed,
    body_length,
    error_id,
    json_depth,
    parse_json,
    parse_whole,
    tenant_host_allowed,
    whole_number,
)


def test_a_body_without_content_length_is_refused_with_411() -> None:
    with pytest.raises(RequestError, match="Content-Length") as refused:
        body_length(None)
    assert refused.value.status == 411


@pytest.mark.parametrize("declared", [str(MAX_BODY_BYTES + 1), "99999999999999"])
def test_a_body_declared_over_the_limit_is_refused_with_413(declared: str) -> None:
    with pytest.raises(RequestError, match="at most") as refused:
        body_length(declared)
    assert refused.value.status == 413


@pytest.mark.parametrize("declared", ["", "-1", "1e6", "0x10", "\u0661\u0662", "9" * 40])
def test_a_content_length_that_is_not_a_number_is_refused_with_400(declared: str) -> None:
    with pytest.raises(RequestError, match="Content-Length") as refused:
        body_length(declared)
    assert refused.value.status == 400


def test_a_body_within_the_limit_is_accepted() -> None:
    assert body_length(str(MAX_BODY_BYTES)) == MAX_BODY_BYTES
    assert body_length("0") == 0


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "]]"]', 1),
        ('{"a\\"[[": "\\\\", "b": [[]]}', 3),
    ],
)
def test_json_depth_counts_nesting_outside_strings(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_json_depth_stops_counting_past_the_limit() -> None:
    assert json_depth("[" * 200_000, stop_above=10) == 11


@pytest.mark.parametrize(
    "text",
    [
        '"' + '\\"' * 200_000 + "\\",  # an unterminated string of escapes, ending in a backslash
        '"' * 200_000,
        '["' * 100_000,
    ],
)
def test_json_depth_is_linear_on_hostile_input(text: str) -> None:
    start = time.perf_counter()
    json_depth(text)
    assert time.perf_counter() - start < 1.0


def test_deep_json_is_refused_before_parsing_instead_of_overflowing_the_stack() -> None:
    with pytest.raises(RequestError, match="deeper than") as refused:
        parse_json("[" * 200_000 + "]" * 200_000)
    assert refused.value.status == 400


def test_json_at_the_depth_limit_parses() -> None:
    text = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json_depth(text) == MAX_JSON_DEPTH
    assert parse_json(text) is not None


def test_a_body_that_is_not_json_is_refused_with_400() -> None:
    with pytest.raises(RequestError, match="not JSON") as refused:
        parse_json("{nope")
    assert refused.value.status == 400


def test_the_credential_headers_cover_bearer_tokens_cookies_and_cloudflare_access() -> None:
    assert {
        "authorization",
        "proxy-authorization",
        "cookie",
        "cf-access-jwt-assertion",
        "cf-access-client-id",
        "cf-access-client-secret",
    } <= CREDENTIAL_HEADERS


def test_error_ids_are_short_and_distinct() -> None:
    ids = {error_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 12 for i in ids)


def test_without_an_admin_hostname_the_admin_api_answers_on_any_host() -> None:
    assert admin_host_allowed("", "dw.example.com")


def test_with_an_admin_hostname_the_admin_api_answers_only_there_in_any_case() -> None:
    assert admin_host_allowed("dw-admin.example.com", "DW-Admin.example.com")
    assert admin_host_allowed("dw-admin.example.com", "dw-admin.example.com.")
    assert not admin_host_allowed("dw-admin.example.com", "dw.example.com")
    assert not admin_host_allowed("dw-admin.example.com", "dw-admin.example.com.evil.test")


def test_several_admin_hostnames_may_be_listed() -> None:
    listed = "dw-admin.example.com, admin.internal.example"
    assert admin_host_allowed(listed, "admin.internal.example")
    assert not admin_host_allowed(listed, "dw.example.com")


def test_without_an_admin_hostname_tenant_traffic_answers_on_any_host() -> None:
    assert tenant_host_allowed("", "dw-admin.example.com")


def test_tenant_traffic_answers_on_every_host_but_the_admin_ones_in_any_case() -> None:
    listed = "dw-admin.example.com, admin.internal.example"
    assert tenant_host_allowed(listed, "dw.example.com")
    assert tenant_host_allowed(listed, "dw-admin.example.com.evil.test")
    assert not tenant_host_allowed(listed, "DW-Admin.example.com.")
    assert not tenant_host_allowed(listed, "admin.internal.example")


@pytest.mark.parametrize(("text", "number"), [("1", 1), ("007", 7), ("100", 100)])
def test_a_whole_number_in_range_is_read(text: str, number: int) -> None:
    assert whole_number(text, "limit", 1, 100) == number


@pytest.mark.parametrize(
    "text",
    ["", "0", "101", "-1", "1.0", " 5", "5 ", "1e2", "\u00b2", "\u0665", "\uff15", "9" * 17],
)
def test_anything_else_is_refused_naming_the_parameter_and_its_range(text: str) -> None:
    assert parse_whole(text, 1, 100) is None
    with pytest.raises(RequestError, match="limit must be a whole number from 1 to 100") as refused:
        whole_number(text, "limit", 1, 100)
    assert refused.value.status == 400
