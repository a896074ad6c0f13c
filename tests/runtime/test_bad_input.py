"""Every bad input gets its own error through the real RPC path, and nothing is created."""

import re

import httpx
import pytest

from tests.conftest import KINDS, Dispatcher, engine_error, poll_status, status, wait_for

pytestmark = pytest.mark.workerd

OVER_ONE_MIB = "x" * (1024 * 1024 + 1)


def refused(response: httpx.Response, error_class: str, text: str) -> str:
    assert response.status_code == 400, response.text
    message = str(response.json()["error"])
    assert error_class in message or "dynamic-workflows:" in message, message
    assert text in message, message
    assert "DataCloneError" not in message
    return message


def assert_not_created(client: httpx.Client, tenant: str, instance_id: str) -> None:
    assert client.get(f"/t/{tenant}/workflows/{instance_id}").status_code == 404


@pytest.mark.parametrize("tenant", KINDS)
def test_params_over_one_mib_are_refused(client: httpx.Client, tenant: str) -> None:
    response = client.post(f"/t/{tenant}/workflows", json={"id": "big-1", "params": OVER_ONE_MIB})
    refused(response, "InvalidParamsError", "over the engine's limit")
    assert_not_created(client, tenant, "big-1")


def params_limit(client: httpx.Client, tenant: str) -> int:
    """What is left of 1 MiB for params, as JSON, after the envelope (the refusal says)."""
    over = client.post(f"/t/{tenant}/workflows", json={"id": "edge-0", "params": OVER_ONE_MIB})
    match = re.search(r"limit of (\d+) bytes", refused(over, "InvalidParamsError", "limit"))
    assert match is not None
    return int(match.group(1))


def assert_the_limit_falls_between(
    client: httpx.Client, tenant: str, prefix: str, exact: str, one_more: str
) -> None:
    """``exact`` (params of exactly the limit) reaches the engine, ``one_more`` does not."""
    accepted = client.post(f"/t/{tenant}/workflows", json={"id": f"{prefix}-1", "params": exact})
    assert accepted.status_code == 200, accepted.text  # the engine took a 1 MiB payload
    over = client.post(f"/t/{tenant}/workflows", json={"id": f"{prefix}-2", "params": one_more})
    refused(over, "InvalidParamsError", "over the engine's limit")
    assert_not_created(client, tenant, f"{prefix}-2")


@pytest.mark.parametrize("tenant", KINDS)
def test_params_exactly_at_the_limit_reach_the_engine_and_a_byte_more_do_not(
    client: httpx.Client, tenant: str
) -> None:
    room = params_limit(client, tenant) - 2  # the JSON string's quotes
    assert_the_limit_falls_between(client, tenant, "edge", "x" * room, "x" * (room + 1))


@pytest.mark.parametrize("tenant", KINDS)
def test_the_limit_counts_utf8_bytes_of_characters_outside_the_basic_plane(
    client: httpx.Client, tenant: str
) -> None:
    room = params_limit(client, tenant) - 2
    text = "\U0001f600" * (room // 4) + "x" * (room % 4)  # 4 UTF-8 bytes, 2 UTF-16 units each
    assert_the_limit_falls_between(client, tenant, "astral", text, text + "x")


@pytest.mark.parametrize("tenant", KINDS)
@pytest.mark.parametrize("bad_id", ["has space", "x" * 84, "-dash"])
def test_an_id_the_engine_would_refuse_is_refused(
    client: httpx.Client, tenant: str, bad_id: str
) -> None:
    response = client.post(f"/t/{tenant}/workflows", json={"id": bad_id, "params": {}})
    refused(response, "InvalidInstanceIdError", "instance id")


@pytest.mark.parametrize("tenant", KINDS)
def test_a_batch_of_101_is_refused_whole(client: httpx.Client, tenant: str) -> None:
    batch = [{"id": f"many-{n}", "params": {}} for n in range(101)]
    refused(client.post(f"/t/{tenant}/workflows/batch", json=batch), "InvalidBatchError", "101")
    assert_not_created(client, tenant, "many-0")


@pytest.mark.parametrize("tenant", KINDS)
def test_a_batch_with_a_missing_item_is_refused_whole(client: httpx.Client, tenant: str) -> None:
    batch = [{"id": "gap-0", "params": {}}, None]
    response = client.post(f"/t/{tenant}/workflows/batch", json=batch)
    refused(response, "InvalidBatchError", "item 1 is missing")
    assert_not_created(client, tenant, "gap-0")


@pytest.mark.parametrize(
    ("case", "error_class", "text"),
    [
        ("function-param", "InvalidParamsError", "params.callback: a function"),
        ("batch-not-a-list", "InvalidBatchError", "takes a list"),
        ("options-not-an-object", "InvalidCreateOptionsError", "must be an object"),
        ("id-not-a-string", "InvalidInstanceIdError", "must be a string"),
    ],
)
def test_values_json_cannot_carry_get_their_own_error(
    client: httpx.Client, case: str, error_class: str, text: str
) -> None:
    refused(client.post(f"/t/js-probe/{case}"), error_class, text)


def test_a_function_param_leaves_no_instance_stuck_in_queued(
    client: httpx.Client, admin: httpx.Client
) -> None:
    client.post("/t/js-probe/function-param")
    assert admin.get("/admin/tenants/js-probe/instances/fn-1").status_code == 404


def test_a_cyclic_param_is_refused_before_anything_is_created(
    client: httpx.Client, admin: httpx.Client
) -> None:
    response = client.post("/t/js-probe/cyclic-param")
    assert response.status_code == 400, response.text
    assert "params.self: a reference back to an enclosing value" in response.json()["error"]
    assert "DataCloneError" not in response.text
    assert admin.get("/admin/tenants/js-probe/instances/cycle-1").status_code == 404


@pytest.mark.parametrize(
    ("metadata", "text"),
    [
        ({"tenantId": "a", "__dispatcherMetadata": 1}, "reserved"),
        ({"region": "eu"}, "metadata['tenantId']"),
        ("not-a-dict", "must be a dict"),
    ],
)
def test_bad_metadata_is_refused_at_wrap_time(
    admin: httpx.Client, metadata: object, text: str
) -> None:
    response = admin.post("/admin/debug/wrap", json={"metadata": metadata})
    refused(response, "InvalidMetadataError", text)


def test_metadata_that_is_not_json_is_refused_at_wrap_time(admin: httpx.Client) -> None:
    response = admin.post(
        "/admin/debug/wrap", json={"metadata": {"tenantId": "a"}, "addDate": True}
    )
    refused(response, "InvalidMetadataError", "JSON-serialisable")


def test_a_create_on_the_raw_binding_ends_in_missing_dispatcher_metadata(
    admin: httpx.Client, dispatcher: Dispatcher
) -> None:
    response = admin.post("/admin/debug/raw-create")
    assert response.status_code == 200, response.text
    engine_id = response.json()["id"]
    result = poll_status(admin, f"/admin/debug/raw-status/{engine_id}", timeout=30)
    assert result["status"] == "errored"
    message = engine_error(dispatcher, result["error"], "MissingDispatcherMetadataError")
    assert message.startswith("dynamic-workflows: workflow event is missing "), message
    assert "wrap_workflow_binding()" in message
    assert "\n" not in message


def test_a_good_create_still_works_after_bad_ones(client: httpx.Client) -> None:
    response = client.post("/t/js-orders/workflows", json={"id": "after-bad", "params": {}})
    assert response.status_code == 200
    assert wait_for(client, "js-orders", "after-bad")["status"] == "complete"
    assert status(client, "js-orders", "after-bad")["id"] == "after-bad"


def test_wrapping_where_the_binding_is_not_exported_says_how_to_export_it(
    client: httpx.Client,
) -> None:
    response = client.get("/t/py-probe/wrap-here")
    message = refused(response, "BindingNotExportedError", "DynamicWorkflowBinding")
    assert "export" in message
