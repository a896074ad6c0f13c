"""A Python tenant written for a plain Workflow binding runs unchanged on the dispatched one.

py-sdk-idiom calls ``self.env.WORKFLOWS`` with the workers SDK's own idiom
(``/sdk/...``), and the same code on ``dynamic_workflows.tenant.Workflows``
(``/facade/...``): both idioms must behave as the SDK does on a real binding.
"""

from typing import Any

import httpx
import pytest

from tests.conftest import poll_status

pytestmark = pytest.mark.workerd

IDIOMS = ["sdk", "facade"]
TENANT = "/t/py-sdk-idiom"


def call(client: httpx.Client, idiom: str, action: str, body: Any = None, **query: str) -> Any:
    path = f"{TENANT}/{idiom}/{action}"
    response = (
        client.get(path, params=query)
        if action == "status"
        else client.post(path, params=query, json=body)
    )
    assert response.status_code == 200, response.text
    return response.json()


def finished(client: httpx.Client, idiom: str, instance_id: str) -> dict[str, Any]:
    return poll_status(client, f"{TENANT}/{idiom}/status?id={instance_id}")


def test_the_sdk_wraps_the_dispatched_binding_as_a_workflow_binding(client: httpx.Client) -> None:
    response = client.get(f"{TENANT}/runtime/flags")
    assert response.status_code == 200, response.text
    assert response.json()["bindingIsTheLibrarysWorkflows"] is True


@pytest.mark.parametrize("idiom", IDIOMS)
def test_create_with_an_options_dict_returns_an_instance_whose_id_is_a_str(
    client: httpx.Client, idiom: str
) -> None:
    created = call(client, idiom, "create", {"who": "ann"}, id=f"{idiom}-dict-1")
    assert created == {"id": f"{idiom}-dict-1", "idType": "str"}


@pytest.mark.parametrize("idiom", IDIOMS)
def test_create_with_keywords_creates_the_instance(client: httpx.Client, idiom: str) -> None:
    created = call(client, idiom, "create-keywords", {"who": "bob"}, id=f"{idiom}-kw-1")
    assert created == {"id": f"{idiom}-kw-1"}
    assert finished(client, idiom, f"{idiom}-kw-1")["output"]["who"] == "bob"


@pytest.mark.parametrize("idiom", IDIOMS)
def test_create_batch_returns_an_instance_per_item(client: httpx.Client, idiom: str) -> None:
    ids = [f"{idiom}-batch-1", f"{idiom}-batch-2"]
    assert call(client, idiom, "create-batch", {"who": "cy"}, ids=",".join(ids)) == {"ids": ids}
    for instance_id in ids:
        assert finished(client, idiom, instance_id)["output"]["who"] == "cy"


@pytest.mark.parametrize("idiom", IDIOMS)
def test_status_returns_a_dict_with_the_engines_fields(client: httpx.Client, idiom: str) -> None:
    call(client, idiom, "create", {"who": "dee"}, id=f"{idiom}-status-1")
    result = finished(client, idiom, f"{idiom}-status-1")
    assert result["isDict"] is True
    assert result["status"] == "complete"
    assert result["output"] == {"who": "dee", "approval": None, "payload": {"who": "dee"}}


@pytest.mark.parametrize("idiom", IDIOMS)
def test_send_event_with_the_sdks_event_dict_answers_wait_for_event(
    client: httpx.Client, idiom: str
) -> None:
    instance_id = f"{idiom}-event-1"
    call(client, idiom, "create", {"who": "eve", "wait": True}, id=instance_id)
    assert call(client, idiom, "send-event", {"ok": True}, id=instance_id) == {"id": instance_id}
    result = finished(client, idiom, instance_id)
    assert result["output"]["approval"] == {"ok": True}
