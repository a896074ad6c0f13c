"""Every admin input answers a 4xx with a one-line JSON error, never a 500: properties
(Hypothesis) over cursors, limits, times, quota values, tenant names, instance ids and
event types, sent to the running dispatcher."""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dispatcher.uploads import TENANT_ID
from dynamic_workflows.core.rules import EVENT_TYPE_MAX_LENGTH, EVENT_TYPE_PATTERN
from tests.conftest import act, create, wait_until_waiting_for_event
from tests.e2e.quota_tenant import fresh_tenant

pytestmark = pytest.mark.workerd

#: Each example is a request to the dev server: enough of them to find the known failures
#: (each listed below as an explicit example too), few enough for the CI budget.
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

#: Digits of every script: str.isdigit() takes them, int() refuses some and reads others.
unicode_digits = st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=20)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    unicode_digits,
    st.text(max_size=30),
)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


cursors = st.one_of(
    st.text(max_size=60),
    st.text(max_size=40).map(_b64),
    st.builds(lambda kind, n: _b64(f"{kind}:{n}"), st.sampled_from(["i1", "l1", "x"]), numbers),
)
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**400), max_value=10**400),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
    ),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
QUOTA_FIELDS = ["creates_per_second", "burst", "max_unfinished"]
quota_bodies = st.one_of(
    st.dictionaries(st.sampled_from(QUOTA_FIELDS), json_values, max_size=3),
    st.dictionaries(st.sampled_from(QUOTA_FIELDS) | st.text(max_size=10), json_values, max_size=3),
    json_values,
)
#: Path segments of any text; the names a test may act on are kept apart (see below).
segments = st.text(min_size=1, max_size=120)


def assert_answered(response: httpx.Response) -> None:
    """Below 500; a refusal is one line of JSON holding an error message."""
    assert response.status_code < 500, (response.request.url, response.text)
    if response.status_code >= 400:
        assert "\n" not in response.text, response.text
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("error"), str), response.text
        assert "\n" not in body["error"], response.text


@pytest.fixture(scope="module")
def own_tenant(admin: httpx.Client) -> str:
    """A tenant of this module's own: its quota and instances are the ones changed here."""
    return fresh_tenant(admin, "fuzz")


@EXAMPLES
@given(
    query=st.fixed_dictionaries(
        {},
        optional={
            "limit": numbers,
            "cursor": cursors,
            "status": st.text(max_size=30),
            "createdFrom": numbers,
            "createdBefore": st.one_of(numbers, st.datetimes().map(lambda d: d.isoformat())),
        },
    )
)
@example(query={"cursor": _b64("i1:999999999999999999")})  # a BigInt into SQL: was a 500
@example(query={"cursor": _b64("i1:\u00b2")})  # isdigit() yes, int() no: was a 500
@example(query={"limit": "\u00b2"})
@example(query={"createdFrom": "\u00b2"})
@example(query={"createdFrom": "9" * 40})
def test_any_instance_listing_query_is_answered(
    admin: httpx.Client, own_tenant: str, query: dict[str, str]
) -> None:
    assert_answered(admin.get(f"/admin/tenants/{own_tenant}/instances", params=query))


@pytest.mark.parametrize(("name", "text"), [("limit", "\u0665"), ("limit", "\uff15")])
def test_a_limit_in_digits_of_another_script_is_refused(
    admin: httpx.Client, own_tenant: str, name: str, text: str
) -> None:
    """int() reads them as 5: they used to be accepted as a limit of 5."""
    response = admin.get(f"/admin/tenants/{own_tenant}/instances", params={name: text})
    assert response.status_code == 400, response.text
    assert response.json() == {"error": "limit must be a whole number from 1 to 100"}


@EXAMPLES
@given(query=st.fixed_dictionaries({}, optional={"limit": numbers, "cursor": cursors}))
@example(query={"limit": "\u00b2"})
def test_any_tenant_listing_query_is_answered(admin: httpx.Client, query: dict[str, str]) -> None:
    assert_answered(admin.get("/admin/tenants", params=query))


@EXAMPLES
@example(query={"after": "\u00b2"})
@example(query={"limit": "\u00b2"})
@given(
    query=st.fixed_dictionaries(
        {},
        optional={
            "limit": numbers,
            "after": numbers,
            "cursor": cursors,
            "level": st.text(max_size=20),
            "instance": st.text(max_size=200),
        },
    )
)
def test_any_log_query_is_answered(
    admin: httpx.Client, own_tenant: str, query: dict[str, str]
) -> None:
    assert_answered(admin.get(f"/admin/tenants/{own_tenant}/logs", params=query))


@EXAMPLES
@given(body=quota_bodies)
@example(body={"creates_per_second": 1e-320})  # was accepted: "retry in inf s"
def test_any_quota_body_is_answered_and_a_stored_quota_is_finite_and_above_the_floor(
    admin: httpx.Client, own_tenant: str, body: Any
) -> None:
    response = admin.put(
        f"/admin/tenants/{own_tenant}/quota",
        content=json.dumps(body, allow_nan=True),
        headers={"content-type": "application/json"},
    )
    assert_answered(response)
    if response.status_code == 200:
        quota = response.json()["quota"]
        assert 0.001 <= quota["creates_per_second"] <= 10_000
        assert all(math.isfinite(value) for value in quota.values())


def test_the_slowest_quota_still_says_when_to_retry(
    admin: httpx.Client, client: httpx.Client
) -> None:
    """A rate of 1e-320 used to be accepted and every refusal then said "retry in inf s"."""
    tenant = fresh_tenant(admin, "slowest")
    refused = admin.put(f"/admin/tenants/{tenant}/quota", json={"creates_per_second": 1e-320})
    assert refused.status_code == 400
    assert "creates_per_second must be a number from 0.001 to 10000" in refused.json()["error"]
    quota = {"creates_per_second": 0.001, "burst": 1}
    assert admin.put(f"/admin/tenants/{tenant}/quota", json=quota).status_code == 200
    assert client.post(f"/t/{tenant}/workflows", json={}).status_code == 200
    second = client.post(f"/t/{tenant}/workflows", json={})
    assert second.status_code == 429, second.text
    assert "retry in 1000" in second.text or "retry in 999" in second.text, second.text


#: Valid names no test uploads: deleting one must say it does not exist.
UNKNOWN = "zz-never-"


@EXAMPLES
@given(name=segments | st.from_regex(f"{UNKNOWN}[a-z0-9]{{1,20}}", fullmatch=True))
@example(name=f"{UNKNOWN}uploaded")  # DELETE of an unknown tenant was a 200
def test_any_tenant_name_in_a_path_is_answered(admin: httpx.Client, name: str) -> None:
    path = f"/admin/tenants/{quote(name, safe='')}"
    assert_answered(admin.get(path))
    assert_answered(admin.get(f"{path}/instances"))
    assert_answered(admin.put(path, json={"mainModule": "index.js"}))  # never a whole upload
    valid = TENANT_ID.fullmatch(name)
    if not valid or name.startswith(UNKNOWN):  # a tenant of the session is never deleted here
        response = admin.delete(path)
        assert_answered(response)
        assert response.status_code == (404 if valid else 400), response.text


@EXAMPLES
@given(instance_id=segments, action=st.sampled_from(["pause", "resume", "terminate", "x"]))
def test_any_instance_id_in_a_path_is_answered(
    admin: httpx.Client, own_tenant: str, instance_id: str, action: str
) -> None:
    path = f"/admin/tenants/{own_tenant}/instances/{quote(instance_id, safe='')}"
    assert_answered(admin.get(path))
    assert_answered(admin.post(f"{path}/{action}"))


@pytest.fixture(scope="module")
def waiting(client: httpx.Client) -> str:
    """A js-orders instance waiting for its approval: every event below is sent to it."""
    instance_id = create(client, "js-orders", params={"waitForEvent": True})
    wait_until_waiting_for_event(client, "js-orders", instance_id)
    return instance_id


@EXAMPLES
@given(
    event_type=st.one_of(
        st.text(max_size=120),
        st.integers(),
        st.none(),
        st.sampled_from(["", "a b", "approval\n", "x" * 100, "x" * 101, "-x", "\u00b2"]),
        st.from_regex(r"[a-zA-Z0-9_][a-zA-Z0-9_-]{0,99}", fullmatch=True),
    )
)
def test_any_event_type_a_tenant_sends_is_answered(
    client: httpx.Client, waiting: str, event_type: Any
) -> None:
    """Only a type the engine's rule allows reaches it; any other is InvalidEventError."""
    # Never "approval": the instance must stay waiting for the other examples.
    if event_type == "approval":
        return
    response = act(client, "js-orders", waiting, "event", {"type": event_type, "payload": 1})
    assert_answered(response)
    allowed = (
        isinstance(event_type, str)
        and len(event_type) <= EVENT_TYPE_MAX_LENGTH
        and re.fullmatch(EVENT_TYPE_PATTERN, event_type) is not None
    )
    assert response.status_code == (200 if allowed else 400), (event_type, response.text)
    if not allowed:
        assert "sendEvent() type" in response.json()["error"], response.text
