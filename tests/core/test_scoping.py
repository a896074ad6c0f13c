"""Instance ids are scoped per tenant: the isolation the reference lacks."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynamic_workflows.core.errors import InvalidInstanceIdError
from dynamic_workflows.core.scoping import (
    ENGINE_ID_MAX_LENGTH,
    TENANT_ID_MAX_LENGTH,
    TenantScope,
    check_engine_id,
)

engine_ids = st.from_regex(r"[a-zA-Z0-9_][a-zA-Z0-9_-]{0,82}", fullmatch=True)
scope_values = st.text(min_size=1) | st.integers()
ENGINE_RULE = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9_-]*")


@given(value=scope_values, tenant_id=engine_ids)
def test_unscope_returns_the_tenants_own_id(value: str | int, tenant_id: str) -> None:
    scope = TenantScope.for_value(value)
    assert scope.unscope(scope.scope(tenant_id)) == tenant_id


@given(value=scope_values, tenant_id=engine_ids)
def test_scoped_ids_meet_the_engines_rules(value: str | int, tenant_id: str) -> None:
    engine_id = TenantScope.for_value(value).scope(tenant_id)
    assert len(engine_id) <= ENGINE_ID_MAX_LENGTH
    assert ENGINE_RULE.fullmatch(engine_id)


@given(a=scope_values, b=scope_values, tenant_id=engine_ids)
def test_two_tenants_using_the_same_id_get_different_engine_ids(
    a: str | int, b: str | int, tenant_id: str
) -> None:
    if a != b:
        assert TenantScope.for_value(a).scope(tenant_id) != TenantScope.for_value(b).scope(
            tenant_id
        )


def test_a_tenant_does_not_own_another_tenants_engine_id() -> None:
    acme, evil = TenantScope.for_value("acme"), TenantScope.for_value("evil")
    assert not evil.owns(acme.scope("order-1"))


def test_the_same_tenant_always_gets_the_same_prefix() -> None:
    assert TenantScope.for_value("acme") == TenantScope.for_value("acme")


def test_string_and_integer_scope_values_do_not_collide() -> None:
    assert TenantScope.for_value("7") != TenantScope.for_value(7)


def test_a_tenant_id_may_be_as_long_as_documented() -> None:
    scope = TenantScope.for_value("acme")
    assert TENANT_ID_MAX_LENGTH == 83
    assert scope.scope("x" * TENANT_ID_MAX_LENGTH).endswith("x" * TENANT_ID_MAX_LENGTH)


def test_a_tenant_id_one_character_too_long_is_refused() -> None:
    with pytest.raises(InvalidInstanceIdError, match="1 to 83 characters"):
        TenantScope.for_value("acme").scope("x" * (TENANT_ID_MAX_LENGTH + 1))


@pytest.mark.parametrize("bad", ["", "-leading-dash", "has space", "slash/id", "ünïcode", "a.b"])
def test_an_id_outside_the_engines_charset_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInstanceIdError):
        TenantScope.for_value("acme").scope(bad)


def test_an_id_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(InvalidInstanceIdError, match="must be a string, got int"):
        check_engine_id(42)


def test_new_ids_are_fresh_and_owned_by_the_tenant() -> None:
    scope = TenantScope.for_value("acme")
    first, second = scope.new_id(), scope.new_id()
    assert first != second
    assert scope.owns(first)
    assert ENGINE_RULE.fullmatch(first)


def test_unscope_leaves_an_id_from_outside_the_scope_unchanged() -> None:
    assert TenantScope.for_value("acme").unscope("legacy-id") == "legacy-id"


def test_generated_ids_are_version_4_uuids() -> None:
    import uuid  # noqa: PLC0415

    from dynamic_workflows.core.scoping import uuid4  # noqa: PLC0415

    ids = {uuid4() for _ in range(1000)}
    assert len(ids) == 1000
    for value in ids:
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == value
