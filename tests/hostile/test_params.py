"""Params a JavaScript tenant sends that the engine would store otherwise are refused, by path."""

from __future__ import annotations

import httpx
import pytest

from tests.hostile.conftest import attack

pytestmark = pytest.mark.workerd

#: Each case of the attacker's PARAMS table, and what the refusal must say.
REFUSED = {
    "nan": "params.a: NaN",
    "infinity": "params.a[1]: Infinity",
    "negative-infinity": "params.a: -Infinity",
    "bigint": "params.n: a BigInt",
    "huge-bigint": "params.n: a BigInt",
    "map": "params.m: a Map",
    "set": "params.s: a Set",
    "regexp": "params.r: a RegExp",
    "typed-array": "params.t: a Uint8Array",
    "undefined-in-object": "params.u: undefined",
    "error": "params.e: an Error",
    "nested": "params.a.b[1]: a Map",
    "tojson-function": "params.a.toJSON: a function",
}


@pytest.mark.parametrize(("case", "says"), REFUSED.items(), ids=list(REFUSED))
def test_a_value_the_engine_would_store_otherwise_is_refused_by_path_and_type(
    client: httpx.Client, case: str, says: str
) -> None:
    result = attack(client, "js-attacker", "params", {"id": f"params-{case}", "case": case})
    assert result["created"]["ok"] is False, result
    assert result["created"]["name"] == "InvalidParamsError", result
    assert says in result["created"]["message"], result
    assert result["exists"] is False, result
    assert result["calledBack"] is False, result  # the dispatcher never calls what it checks


def test_a_date_is_stored_as_sent_and_accepted(client: httpx.Client) -> None:
    result = attack(client, "js-attacker", "params", {"id": "params-date", "case": "date"})
    assert result["created"] == {"ok": True, "value": "params-date"}, result
    assert result["exists"] is True


def test_an_object_shared_by_two_keys_is_accepted(client: httpx.Client) -> None:
    result = attack(
        client, "js-attacker", "params", {"id": "params-shared", "case": "shared-object"}
    )
    assert result["created"] == {"ok": True, "value": "params-shared"}, result
    assert result["exists"] is True


def test_shared_objects_that_would_write_out_past_the_limit_are_refused_at_once(
    client: httpx.Client,
) -> None:
    """A 2**30-fold expansion must be refused while walking, not serialised (a CPU attack)."""
    result = attack(
        client, "js-attacker", "params", {"id": "params-blowup", "case": "shared-blowup"}
    )
    assert result["created"]["name"] == "InvalidParamsError", result
    assert "over the engine's limit" in result["created"]["message"], result
    assert result["exists"] is False, result


def test_the_binding_receives_javascript_arguments_unconverted(client: httpx.Client) -> None:
    """Guards raw_args.install(): with workerd's conversion a Map would arrive as a dict.

    The hook into workerd's introspection module is a private detail; when it stops
    installing, the binding falls back to converted arguments and this test fails.
    """
    result = attack(client, "js-attacker", "params", {"id": "params-raw", "case": "map"})
    assert "params.m: a Map" in result["created"]["message"], result


def test_an_empty_map_is_refused_too(client: httpx.Client) -> None:
    """An empty Map converts to the same Python data as ``{}``; the JavaScript walk
    (runtime/library.mjs) tells them apart, on the arguments as the tenant sent them."""
    result = attack(
        client, "js-attacker", "params", {"id": "params-empty-map", "case": "empty-map"}
    )
    assert "params.m: a Map" in result["created"]["message"], result
    assert result["exists"] is False
