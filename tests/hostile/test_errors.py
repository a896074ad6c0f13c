"""Refusals reach tenants as the library's classes, with one-line messages and no internals."""

from __future__ import annotations

import httpx
import pytest

from tests.hostile.conftest import attack

pytestmark = pytest.mark.workerd


def js_call(client: httpx.Client, method: str, *args: object) -> dict[str, object]:
    """One binding method called by a JavaScript tenant: its outcome, as the tenant saw it."""
    results = attack(client, "js-attacker", "names", {"names": [method], "args": list(args)})
    return dict(results[method])


def assert_clean(outcome: dict[str, object]) -> None:
    message = str(outcome["message"])
    assert "\n" not in message.strip(), outcome
    assert "Traceback" not in message and ".py" not in message, outcome
    assert message.startswith("dynamic-workflows: "), outcome


def test_a_javascript_tenant_sees_not_found_as_an_error_named_after_the_class(
    client: httpx.Client,
) -> None:
    outcome = js_call(client, "get", "nobody-here")
    assert outcome["name"] == "InstanceNotFoundError"
    assert_clean(outcome)


def test_a_javascript_tenant_sees_a_duplicate_id_as_instance_already_exists(
    client: httpx.Client,
) -> None:
    assert js_call(client, "create", {"id": "dup-js", "params": {}})["ok"] is True
    outcome = js_call(client, "create", {"id": "dup-js", "params": {}})
    assert outcome["name"] == "InstanceAlreadyExistsError"
    assert "dup-js" in str(outcome["message"])
    assert_clean(outcome)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["-bad"], "InvalidInstanceIdError"),
        (["not options"], "InvalidCreateOptionsError"),
    ],
)
def test_a_javascript_tenant_sees_bad_input_as_its_class(
    client: httpx.Client, args: list[object], name: str
) -> None:
    method = "get" if name == "InvalidInstanceIdError" else "create"
    outcome = js_call(client, method, *args)
    assert outcome["name"] == name
    assert_clean(outcome)


def test_a_javascript_tenant_sees_a_bad_batch_as_invalid_batch(client: httpx.Client) -> None:
    outcome = js_call(client, "createBatch", {"params": {}})
    assert outcome["name"] == "InvalidBatchError"
    assert_clean(outcome)


@pytest.fixture(scope="module")
def python_errors(client: httpx.Client) -> dict[str, dict[str, str]]:
    response = client.get("/t/py-attacker/errors", params={"id": "dup-py"})
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize(
    ("case", "name"),
    [
        ("not-found", "InstanceNotFoundError"),
        ("duplicate", "InstanceAlreadyExistsError"),
        ("bad-id", "InvalidInstanceIdError"),
        ("bad-params", "InvalidParamsError"),
    ],
)
def test_a_python_tenant_catches_each_refusal_as_the_librarys_class(
    python_errors: dict[str, dict[str, str]], case: str, name: str
) -> None:
    caught = python_errors[case]
    assert caught["class"] == name, caught
    assert "Traceback" not in caught["message"] and ".py" not in caught["message"], caught
