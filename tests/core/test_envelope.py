"""The envelope is the reference's, key for key, so instances survive a migration."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynamic_workflows.core.envelope import unwrap_params, wrap_params
from dynamic_workflows.core.errors import MissingDispatcherMetadataError

json_data = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def test_envelope_is_the_javascript_references_key_for_key() -> None:
    envelope = wrap_params({"who": "bob"}, {"tenantId": "acme"})
    assert json.dumps(envelope) == (
        '{"__dispatcherMetadata": {"tenantId": "acme"}, "params": {"who": "bob"}}'
    )


def test_unwrap_reads_an_envelope_written_by_the_javascript_reference() -> None:
    persisted = json.loads('{"__dispatcherMetadata":{"tenantId":"acme"},"params":{"n":1}}')
    metadata, params = unwrap_params(persisted)
    assert metadata == {"tenantId": "acme"}
    assert params == {"n": 1}


@given(params=json_data, metadata=st.dictionaries(st.text(), json_data, max_size=3))
def test_unwrap_returns_what_wrap_was_given(params: object, metadata: object) -> None:
    assert unwrap_params(wrap_params(params, metadata)) == (metadata, params)


@given(params=json_data, metadata=st.dictionaries(st.text(), json_data, max_size=3))
def test_envelope_survives_a_json_round_trip(params: object, metadata: object) -> None:
    persisted = json.loads(json.dumps(wrap_params(params, metadata)))
    assert unwrap_params(persisted) == (metadata, params)


def test_unwrap_keeps_params_that_are_none() -> None:
    assert unwrap_params(wrap_params(None, {"tenantId": "a"})).params is None


@pytest.mark.parametrize(
    "payload",
    [None, "text", 42, [], {}, {"params": 1}, {"__dispatcherMetadata": {}}, {"who": "bob"}],
)
def test_unwrap_refuses_a_payload_that_is_not_an_envelope(payload: object) -> None:
    with pytest.raises(MissingDispatcherMetadataError, match="wrap_workflow_binding"):
        unwrap_params(payload)
