"""Tenants get only the compatibility flags and dates on the dispatcher's allowlist."""

from __future__ import annotations

import httpx
import pytest

from tests.dispatcher.test_uploads import DANGEROUS_FLAGS
from tests.hostile.conftest import Victim
from tools.tenant_code import TENANTS_DIR, upload_body

pytestmark = pytest.mark.workerd

PY_CODE = upload_body(TENANTS_DIR / "py-orders")
JS_CODE = upload_body(TENANTS_DIR / "js-orders")
#: Experimental flags (workerd's $experimental), the development runtime's, flags the
#: dispatcher sets or relies on, and a name workerd does not know: the unit tests' list.
REFUSED_FLAGS = DANGEROUS_FLAGS


def refused(admin: httpx.Client, tenant: str, body: dict[str, object]) -> str:
    """PUT ``body``: 400, and nothing stored under ``tenant``; returns the error."""
    response = admin.put(f"/admin/tenants/{tenant}", json=body)
    assert response.status_code == 400, response.text
    assert admin.get(f"/admin/tenants/{tenant}").status_code == 404
    return str(response.json()["error"])


@pytest.mark.parametrize("flag", ["unsafe_module", "allow_insecure_inefficient_logged_eval"])
def test_a_python_tenant_cannot_switch_on_an_unsafe_experimental_flag(
    client: httpx.Client, admin: httpx.Client, victim: Victim, flag: str
) -> None:
    error = refused(admin, "py-unsafe", {**PY_CODE, "compatibilityFlags": [flag]})
    assert flag in error
    victim.assert_untouched(client)


@pytest.mark.parametrize("flag", REFUSED_FLAGS)
def test_a_flag_outside_the_allowlist_is_refused_naming_the_allowlist(
    admin: httpx.Client, flag: str
) -> None:
    error = refused(admin, "flagged", {**PY_CODE, "compatibilityFlags": ["nodejs_compat", flag]})
    assert repr(flag) in error
    assert "allowed:" in error
    assert "nodejs_compat" in error.split("allowed:")[1]


def test_an_allowlisted_flag_is_accepted_before_its_date_enables_it(
    admin: httpx.Client, client: httpx.Client
) -> None:
    body = {**JS_CODE, "compatibilityDate": "2026-08-03", "compatibilityFlags": ["nodejs_compat"]}
    assert admin.put("/admin/tenants/js-node", json=body).status_code == 201
    assert client.get("/t/js-node/not-workflows").status_code == 404  # the tenant's own 404


@pytest.mark.parametrize("code", [JS_CODE, PY_CODE], ids=["js", "py"])
def test_a_flag_the_tenants_date_already_enables_is_refused_naming_flag_and_date(
    admin: httpx.Client, code: dict[str, object]
) -> None:
    # What Cloudflare would refuse when the code is loaded, refused before it is stored.
    error = refused(admin, "redundant", {**code, "compatibilityFlags": ["nodejs_compat"]})
    assert "nodejs_compat (the default from 2026-08-04)" in error
    assert "already on at compatibilityDate 2026-11-01" in error


@pytest.mark.parametrize("date", ["2026-11-02", "2099-01-01", "2026-02-30"])
def test_a_compatibility_date_after_the_dispatchers_or_not_a_date_is_refused(
    admin: httpx.Client, date: str
) -> None:
    error = refused(admin, "dated", {**JS_CODE, "compatibilityDate": date})
    assert date in error
