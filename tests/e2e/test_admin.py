"""The admin API: uploads checked before storing, a bearer token, tenants' versions."""

import httpx
import pytest

from tests.conftest import Dispatcher, create, wait_for
from tools.tenant_code import TENANTS_DIR, upload, upload_body

pytestmark = pytest.mark.workerd

JS_TENANT = upload_body(TENANTS_DIR / "js-orders")


@pytest.mark.parametrize(
    "headers", [{}, {"authorization": "Bearer wrong"}, {"authorization": "test-admin-token"}]
)
def test_admin_calls_without_the_right_token_get_401(
    dispatcher: Dispatcher, headers: dict[str, str]
) -> None:
    with httpx.Client(base_url=dispatcher.url, headers=headers) as anonymous:
        assert anonymous.put("/admin/tenants/intruder", json=JS_TENANT).status_code == 401
        assert anonymous.get("/admin/tenants/js-orders").status_code == 401
        assert anonymous.delete("/admin/tenants/js-orders").status_code == 401


def test_an_unauthorized_upload_changes_nothing(
    dispatcher: Dispatcher, admin: httpx.Client
) -> None:
    with httpx.Client(base_url=dispatcher.url) as anonymous:
        anonymous.put("/admin/tenants/intruder", json=JS_TENANT)
    assert admin.get("/admin/tenants/intruder").status_code == 404


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"mainModule": "index.js"}, "modules"),
        ({"mainModule": "index.js", "modules": {"index.js": "", "x.py": "1"}}, "Python main"),
        ({"mainModule": "nope.js", "modules": {"index.js": ""}}, "mainModule"),
    ],
)
def test_a_bad_upload_gets_400_with_what_to_fix(
    admin: httpx.Client, body: object, text: str
) -> None:
    response = admin.put("/admin/tenants/bad-upload", json=body)
    assert response.status_code == 400
    assert text in response.json()["error"]
    assert admin.get("/admin/tenants/bad-upload").status_code == 404


def test_a_body_that_is_not_json_gets_400(admin: httpx.Client) -> None:
    response = admin.put("/admin/tenants/bad-upload", content=b"{nope")
    assert response.status_code == 400
    assert "not JSON" in response.json()["error"]


def test_a_bad_tenant_id_gets_400(admin: httpx.Client) -> None:
    assert admin.put("/admin/tenants/UPPER", json=JS_TENANT).status_code == 400


def test_reading_a_tenant_shows_its_current_version_and_versions(admin: httpx.Client) -> None:
    version = upload(admin, "versioned", JS_TENANT)
    newer = upload(
        admin, "versioned", upload_body(TENANTS_DIR / "js-orders", compatibilityDate="2026-10-01")
    )
    tenant = admin.get("/admin/tenants/versioned").json()
    assert tenant["version"] == newer
    assert sorted(tenant["versions"]) == sorted({version, newer})


def test_uploading_the_same_code_twice_gives_the_same_version(admin: httpx.Client) -> None:
    assert upload(admin, "same-code", JS_TENANT) == upload(admin, "same-code", JS_TENANT)


def test_a_deleted_tenant_is_unknown(admin: httpx.Client, client: httpx.Client) -> None:
    upload(admin, "short-lived", JS_TENANT)
    assert admin.delete("/admin/tenants/short-lived").status_code == 200
    assert admin.get("/admin/tenants/short-lived").status_code == 404
    assert client.post("/t/short-lived/workflows", json={}).status_code == 404


def test_deleting_a_tenant_that_does_not_exist_is_404(admin: httpx.Client) -> None:
    """It used to answer 200 with nothing deleted, which reads as done."""
    for _ in range(2):  # never uploaded, then already deleted
        response = admin.delete("/admin/tenants/never-uploaded")
        assert response.status_code == 404, response.text
        assert response.json() == {"error": "unknown tenant 'never-uploaded'"}


def test_admin_reads_an_instance_status_within_its_tenant(
    admin: httpx.Client, client: httpx.Client
) -> None:
    instance_id = create(client, "js-orders", id="admin-read", params={"who": "ops"})
    wait_for(client, "js-orders", instance_id)
    own = admin.get(f"/admin/tenants/js-orders/instances/{instance_id}")
    assert own.status_code == 200
    assert own.json()["output"]["greeting"] == "Hello, ops!"
    assert admin.get(f"/admin/tenants/js-rival/instances/{instance_id}").status_code == 404
