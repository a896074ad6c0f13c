"""A tenant's create options become the engine's: tagged, scoped, untouched otherwise."""

import json
from collections.abc import Mapping

import pytest

from dynamic_workflows.core.envelope import METADATA_KEY
from dynamic_workflows.core.errors import (
    InstanceAlreadyExistsError,
    InstanceNotFoundError,
    InvalidBatchError,
    InvalidInstanceIdError,
    InvalidMetadataError,
    WorkflowEngineError,
)
from dynamic_workflows.core.scoping import TenantScope
from dynamic_workflows.core.tenancy import TenantBinding, engine_refusal
from dynamic_workflows.core.validation import ENVELOPE_OVERHEAD

ACME = {"tenantId": "acme", "codeVersion": "v1"}


def binding(metadata: Mapping[str, object] = ACME) -> TenantBinding:
    return TenantBinding.create(metadata, "tenantId")


def test_create_wraps_params_in_the_envelope() -> None:
    engine_options, _ = binding().prepare_create({"params": {"who": "bob"}})
    assert engine_options["params"] == {METADATA_KEY: ACME, "params": {"who": "bob"}}


def test_create_scopes_a_chosen_id_and_shows_the_tenant_its_own() -> None:
    engine_options, tenant_id = binding().prepare_create({"id": "order-1"})
    assert tenant_id == "order-1"
    assert engine_options["id"] == TenantScope.for_value("acme").scope("order-1")


def test_create_without_an_id_gets_a_fresh_scoped_one() -> None:
    engine_options, tenant_id = binding().prepare_create({})
    assert engine_options["id"].endswith(tenant_id)
    assert TenantScope.for_value("acme").owns(engine_options["id"])


def test_create_passes_other_options_through_unchanged() -> None:
    retention = {"successRetention": "1 day", "errorRetention": "1 week"}
    engine_options, _ = binding().prepare_create({"retention": retention, "extra": [1]})
    assert engine_options["retention"] is retention
    assert engine_options["extra"] == [1]


def test_create_does_not_modify_the_callers_options() -> None:
    options = {"id": "a", "params": {"n": 1}}
    binding().prepare_create(options)
    assert options == {"id": "a", "params": {"n": 1}}


def test_create_with_an_invalid_id_is_refused() -> None:
    with pytest.raises(InvalidInstanceIdError):
        binding().prepare_create({"id": "no spaces"})


def test_params_limit_is_what_the_envelope_and_the_metadata_leave_of_1_mib() -> None:
    metadata = {"tenantId": "acme", "pad": "p" * 60_000}
    compact = len(json.dumps(metadata, separators=(",", ":")))
    assert binding(metadata).params_limit == 1024 * 1024 - ENVELOPE_OVERHEAD - compact


def test_wrapping_refuses_metadata_without_the_scope_key() -> None:
    with pytest.raises(InvalidMetadataError):
        TenantBinding.create({"region": "eu"}, "tenantId")


def test_the_dispatcher_chooses_the_scope_key() -> None:
    by_org = TenantBinding.create({"org": "acme", "tenantId": "ignored"}, "org")
    assert by_org.scope == TenantScope.for_value("acme")


def test_unscoped_binding_leaves_ids_to_the_engine() -> None:
    engine_options, tenant_id = TenantBinding.create({"r": 1}, None).prepare_create({"params": 1})
    assert "id" not in engine_options
    assert tenant_id == ""


def test_get_of_another_tenants_id_names_a_different_engine_instance() -> None:
    acme_engine_id = binding().engine_id("order-1")
    evil = binding({"tenantId": "evil"})
    assert evil.engine_id("order-1") != acme_engine_id
    assert evil.engine_id(acme_engine_id) != acme_engine_id


def test_batch_prepares_every_item() -> None:
    prepared = binding().prepare_batch([{"id": "a"}, {"id": "b", "params": 2}])
    assert [item.tenant_id for item in prepared] == ["a", "b"]


def test_batch_with_a_repeated_id_is_refused_before_anything_is_created() -> None:
    with pytest.raises(InvalidBatchError, match="item 2 repeats id 'a'"):
        binding().prepare_batch([{"id": "a"}, {"id": "b"}, {"id": "a"}])


def test_batch_with_one_bad_item_is_refused_whole() -> None:
    with pytest.raises(InvalidInstanceIdError):
        binding().prepare_batch([{"id": "a"}, {"id": "-b"}])


def test_an_engine_refusal_of_an_existing_id_is_instance_already_exists() -> None:
    refusal = engine_refusal("(instance.already_exists) taken", "order-1", None)
    assert isinstance(refusal, InstanceAlreadyExistsError)
    assert "'order-1'" in str(refusal)


def test_an_engine_not_found_for_a_named_id_is_instance_not_found() -> None:
    assert isinstance(engine_refusal("instance.not_found", "x", None), InstanceNotFoundError)


def test_another_engine_refusal_shows_its_first_line_without_the_tenants_prefix() -> None:
    prefix = "0123456789abcdef-"
    refusal = engine_refusal(f"rate limited for {prefix}order-1\nstack...", "order-1", prefix)
    assert isinstance(refusal, WorkflowEngineError)
    assert str(refusal).endswith("refused the call: rate limited for order-1")
