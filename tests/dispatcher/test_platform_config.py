"""wrangler.jsonc binds what the dispatcher's platform settings name: shards, the index."""

from dispatcher.config import LEGACY_SHARD, OPEN_SHARDS, SHARDS
from tests.test_config import config


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
