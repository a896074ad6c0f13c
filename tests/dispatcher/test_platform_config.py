"""wrangler.jsonc binds what the dispatcher's platform settings name: shards, the index."""

from dispatcher.config import (
    DEBUG_ROUTES_VARIABLE,
    DEV_ONLY_VARIABLES,
    DEV_WAKE_VARIABLE,
    LEGACY_SHARD,
    OPEN_SHARDS,
    SHARDS,
    TENANT_LIMITS,
    UPLOAD_PROBE_VARIABLE,
)
from tests.test_config import ROOT, config
from tools.offline_runtime import devserver


def test_the_config_binds_the_shards_the_dispatcher_places_tenants_on() -> None:
    bound = [workflow["binding"] for workflow in config()["workflows"]]
    assert list(SHARDS) == bound
    assert set(OPEN_SHARDS) <= set(SHARDS) and LEGACY_SHARD in SHARDS


def test_the_tenant_index_is_a_sqlite_durable_object() -> None:
    whole = config()
    assert whole["durable_objects"]["bindings"] == [
        {"name": "TENANT_INDEX", "class_name": "TenantIndex"}
    ]
    assert {"tag": "v1", "new_sqlite_classes": ["TenantIndex"]} in whole["migrations"]


def test_tenant_limits_are_within_what_cloudflare_accepts() -> None:
    """Cloudflare enforces these on every invocation of a tenant (local workerd does not)."""
    assert set(TENANT_LIMITS) == {"cpuMs", "subRequests"}
    assert 1 <= TENANT_LIMITS["cpuMs"] <= 300_000  # Workers Paid: up to 5 minutes
    assert 1 <= TENANT_LIMITS["subRequests"] <= 10_000


def test_the_deployable_config_leaves_uploads_to_cloudflares_limits() -> None:
    """No probe-process URL: a deployed dispatcher loads uploads under the platform's bounds
    (1 s of start-up CPU, 128 MB, TENANT_LIMITS), not through the local dev tooling."""
    whole = config()
    for section in [whole, *whole.get("env", {}).values()]:
        assert UPLOAD_PROBE_VARIABLE not in section.get("vars", {})


def test_the_dev_tooling_sets_the_variables_the_dispatcher_reads() -> None:
    assert devserver.PROBE_VARIABLE == UPLOAD_PROBE_VARIABLE
    assert devserver.DEBUG_ROUTES_VARIABLE == DEBUG_ROUTES_VARIABLE
    assert devserver.WAKE_VARIABLE == DEV_WAKE_VARIABLE


def test_no_deployable_config_turns_on_a_dev_only_route_or_check() -> None:
    for path in ("wrangler.jsonc", "examples/minimal/wrangler.jsonc"):
        whole = config(ROOT / path)
        for section in [whole, *whole.get("env", {}).values()]:
            assert not set(DEV_ONLY_VARIABLES) & set(section.get("vars", {})), path
