"""sendEvent's type is held to the engine's rule before the engine sees it, for every tenant.

The Workflows docs ("Events and parameters"): a type of up to 100 characters, letters,
digits, ``-`` and ``_`` (the instance id's pattern; ``.`` is refused by the engine with
``workflow.invalid_event_type``). The local engine takes any type; here a type outside the
rule is refused with ``InvalidEventError``, in the same words for JavaScript and Python
tenants, and a type inside it reaches the engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tools.tenant_code import upload, upload_body

pytestmark = pytest.mark.workerd

RULE = (
    "is not one the Workflows engine accepts: 1 to 100 letters, digits, '_' and '-', "
    "not starting with '-'; send such a type, the one waitForEvent() names"
)
#: Each type sent, and how it is shown in the refusal (None: accepted).
TYPES: list[tuple[Any, str | None]] = [
    (5, "5"),
    ("", '""'),
    ("a b", '"a b"'),
    ("approval\n", '"approval\\n"'),
    ("x" * 200, f'"{"x" * 40}…" (200 characters)'),
    ("x" * 101, f'"{"x" * 40}…" (101 characters)'),
    ("invoice.paid", '"invoice.paid"'),
    ("-approval", '"-approval"'),
    (None, "null"),
    ("approval", None),
    ("x" * 100, None),
    ("Stripe_webhook-2", None),
]
ROUTES = {
    "javascript": "/t/js-event-types/event-types",
    "python-sdk": "/t/py-sdk-idiom/sdk/event-types",
    "python-facade": "/t/py-sdk-idiom/facade/event-types",
}


@pytest.fixture(scope="module")
def sent(client: httpx.Client, admin: httpx.Client) -> dict[str, list[dict[str, Any]]]:
    # js-errors' code, under a name of its own (test_error_classes sets js-errors' quota).
    upload(admin, "js-event-types", upload_body(Path(__file__).parent / "tenants" / "js-errors"))
    found = {}
    for tenant, route in ROUTES.items():
        response = client.post(route, json={"types": [t for t, _ in TYPES]})
        assert response.status_code == 200, response.text
        found[tenant] = response.json()
    return found


@pytest.mark.parametrize("tenant", ROUTES)
@pytest.mark.parametrize(("index", "shown"), [(i, shown) for i, (_, shown) in enumerate(TYPES)])
def test_a_type_outside_the_engines_rule_is_refused_before_the_engine(
    sent: dict[str, list[dict[str, Any]]], tenant: str, index: int, shown: str | None
) -> None:
    outcome = sent[tenant][index]
    if shown is None:
        assert outcome == {"name": None}, outcome
    else:
        assert outcome == {
            "name": "InvalidEventError",
            "message": f"dynamic-workflows: sendEvent() type {shown} {RULE}",
        }
