"""Each refusal reaches a tenant as the library's class, with one name and message everywhere.

The same sequence of refusals (the same ids, so the same messages) runs in a JavaScript
tenant (``js-errors``), and in a Python tenant through the SDK's own idiom
(``self.env.WORKFLOWS``, ``except InvalidParamsError``) and through the library's facade
(``dynamic_workflows.tenant.Workflows``). Each tenant's quota allows two unfinished
instances: the third create is past it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tools.tenant_code import upload, upload_body

pytestmark = pytest.mark.workerd

TENANTS = Path(__file__).parent / "tenants"
#: Idiom -> (tenant, route).
IDIOMS = {
    "javascript": ("js-errors", "/t/js-errors/errors"),
    "python-sdk": ("py-errors-sdk", "/t/py-errors-sdk/sdk/errors"),
    "python-facade": ("py-errors-facade", "/t/py-errors-facade/facade/errors"),
}
CLASSES = [
    "InstanceAlreadyExistsError",
    "InstanceNotFoundError",
    "InvalidInstanceIdError",
    "InvalidCreateOptionsError",
    "InvalidParamsError",
    "InvalidBatchError",
    "InvalidEventError",
    "QuotaExceededError",
]


@pytest.fixture(scope="module")
def caught(admin: httpx.Client, client: httpx.Client) -> dict[str, dict[str, Any]]:
    """What each idiom's tenant caught, by class."""
    for tenant in ("py-errors-sdk", "py-errors-facade"):
        upload(admin, tenant, upload_body(TENANTS / "py-sdk-idiom"))
    found = {}
    for idiom, (tenant, route) in IDIOMS.items():
        quota = admin.put(f"/admin/tenants/{tenant}/quota", json={"max_unfinished": 2})
        assert quota.status_code == 200, quota.text
        response = client.get(route)
        assert response.status_code == 200, response.text
        found[idiom] = response.json()
    return found


@pytest.mark.parametrize("idiom", IDIOMS)
@pytest.mark.parametrize("name", CLASSES)
def test_each_refusal_is_caught_as_the_librarys_class(
    caught: dict[str, dict[str, Any]], idiom: str, name: str
) -> None:
    seen = caught[idiom][name]
    assert seen["name"] == name, seen
    assert seen["message"].startswith("dynamic-workflows: "), seen
    assert "\n" not in seen["message"] and "Traceback" not in seen["message"], seen


@pytest.mark.parametrize("name", CLASSES)
def test_every_idiom_sees_the_same_message(caught: dict[str, dict[str, Any]], name: str) -> None:
    messages = {idiom: caught[idiom][name]["message"] for idiom in IDIOMS}
    assert len(set(messages.values())) == 1, messages
