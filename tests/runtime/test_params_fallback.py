"""Without native.mjs in the bundle, the Python checks refuse the same values (but an empty Map).

A tenant's bundle has no native.mjs, so the library's checks run there as they do in a
dispatcher that vendors the library into python_modules (examples/minimal).
"""

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.workerd

REFUSED = {
    "nan": "params.a is NaN",
    "bigint": "params.n is a BigInt",
    "map": "params.m is a Map",
    "set": "params.s is a Set",
    "regexp": "params.r is a RegExp",
    "typed-array": "params.t is a Uint8Array",
    "undefined": "params.u is undefined",
    "error": "params.e is an Error",
    "tojson-function": "params.a.toJSON is a function",
}


@pytest.fixture(scope="module")
def fallback(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/t/py-probe/fallback-params")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_checks_run_without_the_native_module(fallback: dict[str, Any]) -> None:
    assert fallback["native"] is False


@pytest.mark.parametrize(("case", "says"), REFUSED.items(), ids=list(REFUSED))
def test_the_python_checks_refuse_by_path_and_type(
    fallback: dict[str, Any], case: str, says: str
) -> None:
    assert says in fallback["cases"][case].get("error", ""), fallback["cases"][case]


def test_the_python_checks_accept_a_date_and_measure_it_as_json(fallback: dict[str, Any]) -> None:
    assert fallback["cases"]["date"] == {"size": len('{"d":"1970-01-01T00:00:00.000Z"}')}


def test_the_python_checks_never_call_a_function_in_params(fallback: dict[str, Any]) -> None:
    """structuredClone refuses it before JSON.stringify, which would call a toJSON."""
    assert fallback["calledBack"] is False


def test_the_python_checks_write_a_shared_object_out_each_time(fallback: dict[str, Any]) -> None:
    shared = '{"billing":{"street":"Main St 1"},"shipping":{"street":"Main St 1"}}'
    assert fallback["cases"]["shared-object"] == {"size": len(shared)}


def test_the_python_checks_refuse_shared_objects_past_the_limit_before_serialising(
    fallback: dict[str, Any],
) -> None:
    """2**30 copies as JSON: counted, not written out (the route would not answer)."""
    assert "over the engine's limit" in fallback["cases"]["shared-blowup"].get("error", "")
