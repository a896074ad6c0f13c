"""Event types a hostile tenant sends are checked before the engine, without calling it back."""

from __future__ import annotations

import httpx
import pytest

from tests.hostile.conftest import attack

pytestmark = pytest.mark.workerd


def test_event_types_outside_the_rule_are_refused_and_never_call_the_tenant_back(
    client: httpx.Client,
) -> None:
    result = attack(client, "js-attacker", "event-types", {"id": "event-types-1"})
    assert result["calledBack"] is False, result
    shown = [
        "an object",
        '"approval\\u0000"',
        f'"{("approval" * 6)[:40]}…" (10000 characters)',
        "an object",
    ]
    for outcome, what in zip(result["sent"], shown, strict=True):
        assert outcome["ok"] is False, outcome
        assert outcome["name"] == "InvalidEventError", outcome
        assert outcome["message"].startswith(f"dynamic-workflows: sendEvent() type {what} "), (
            outcome
        )
