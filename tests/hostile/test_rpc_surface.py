"""Over RPC a tenant reaches exactly the four binding methods, and only its own ids."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import wait_for
from tests.hostile.conftest import Victim, attack

pytestmark = pytest.mark.workerd

RPC_METHODS = {"create", "createBatch", "get", "deleteBatch"}
#: Names that are not Python attributes of the class but that the runtime's proxies answer to.
PROXY_NAMES = [
    "fetch", "connect", "run", "then", "constructor",
    "__proto__", "__defineGetter__", "destroy", "copy", "toJs", "type", "callKwargs", "ctx",
    "env", "_tenant", "_workers_module", "props",
]  # fmt: skip


def binding_names(client: httpx.Client) -> list[str]:
    """``dir()`` of the binding entrypoint class and its bases, as seen in workerd."""
    response = client.get("/t/py-attacker/names")
    assert response.status_code == 200, response.text
    return list(response.json())


def forged_props(victim: Victim) -> dict[str, object]:
    """The props the dispatcher gives the victim's own binding."""
    metadata = {"tenantId": victim.tenant, "tenantUid": victim.uid, "codeVersion": "forged"}
    return {"props": {"bindingName": "WORKFLOWS", "metadata": metadata, "scopeKey": "tenantUid"}}


def test_the_probed_names_include_the_dunders_that_once_let_a_tenant_in(
    client: httpx.Client,
) -> None:
    names = set(binding_names(client))
    assert {"__getattribute__", "__setattr__", "__init__", "__reduce__", "__class__"} <= names


def test_no_other_name_of_the_binding_is_callable_over_rpc(
    client: httpx.Client, victim: Victim
) -> None:
    names = [n for n in binding_names(client) if n not in RPC_METHODS] + PROXY_NAMES
    results = attack(
        client, "js-attacker", "names", {"names": names, "args": [forged_props(victim)]}
    )
    called = {name: result for name, result in results.items() if result["ok"]}
    assert called == {}
    for name, result in results.items():
        assert "Traceback" not in result["message"], (name, result)
        assert ".py" not in result["message"], (name, result)
    victim.assert_untouched(client)


def test_a_refused_name_says_the_method_does_not_exist(client: httpx.Client) -> None:
    results = attack(client, "js-attacker", "names", {"names": ["__getattribute__", "_tenant"]})
    for result in results.values():
        assert result["name"] == "TypeError", result
        assert "does not exist" in result["message"], result


def test_replacing_ctx_through_dunders_does_not_reach_the_victim(
    client: httpx.Client, victim: Victim
) -> None:
    props = forged_props(victim)["props"]
    assert isinstance(props, dict)
    steps = attack(
        client,
        "js-attacker",
        "forge-ctx",
        {"metadata": props["metadata"], "scopeKey": "tenantUid", "victim": victim.id},
    )
    assert not steps["getattribute"]["ok"], steps
    assert not steps["setattr"]["ok"], steps
    assert not steps["init"]["ok"], steps
    assert not steps["get"]["ok"], steps
    assert "instance.not_found" in steps["get"]["message"]
    assert "status" not in steps
    victim.assert_untouched(client)


def test_a_forged_scope_key_of_null_does_not_reach_raw_engine_ids(
    client: httpx.Client, victim: Victim
) -> None:
    steps = attack(
        client,
        "js-attacker",
        "forge-ctx",
        {"metadata": {"tenantId": "x"}, "scopeKey": None, "victim": victim.engine_id},
    )
    assert not steps["get"]["ok"], steps
    assert "status" not in steps
    victim.assert_untouched(client)


def test_another_tenants_engine_id_is_not_found(client: httpx.Client, victim: Victim) -> None:
    steps = attack(client, "js-attacker", "engine-id", {"victim": victim.engine_id})
    assert not steps["get"]["ok"], steps
    assert "status" not in steps
    victim.assert_untouched(client)


def test_deleting_another_tenants_engine_id_deletes_nothing(
    client: httpx.Client, victim: Victim
) -> None:
    steps = attack(client, "js-attacker", "engine-id", {"victim": victim.engine_id})
    deleted = steps["deleteBatch"]
    assert not deleted["ok"] or deleted["value"] == "<object>", deleted
    victim.assert_untouched(client)


def test_a_forged_envelope_in_params_runs_in_the_attackers_own_code(
    client: httpx.Client, victim: Victim
) -> None:
    forged = {"tenantId": victim.tenant, "tenantUid": victim.uid, "codeVersion": "forged"}
    created = attack(
        client, "js-attacker", "forged-envelope", {"id": "envelope-1", "metadata": forged}
    )
    result = wait_for(client, "js-attacker", created["id"])
    assert result["status"] == "complete", result
    # The attacker's own run saw its params, forged key and all: nothing was routed to the victim.
    assert result["output"]["payload"]["__dispatcherMetadata"] == forged
    victim.assert_untouched(client)
