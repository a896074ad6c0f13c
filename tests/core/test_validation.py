"""Bad input fails at the edge with an error that says what to fix."""

import datetime
import json

import pytest

from dynamic_workflows.core.errors import (
    InvalidBatchError,
    InvalidCreateOptionsError,
    InvalidMetadataError,
)
from dynamic_workflows.core.rules import MAX_PAYLOAD_BYTES
from dynamic_workflows.core.validation import (
    ENVELOPE_OVERHEAD,
    check_batch,
    check_create_options,
    check_metadata,
)


def test_metadata_with_the_scope_key_is_accepted() -> None:
    assert check_metadata({"tenantId": "acme", "plan": "pro"}, "tenantId") > 0


def test_metadata_that_is_not_json_serialisable_is_refused() -> None:
    with pytest.raises(InvalidMetadataError, match="JSON-serialisable"):
        check_metadata({"tenantId": "acme", "when": datetime.datetime.now()}, "tenantId")


def test_metadata_that_is_not_a_dict_is_refused() -> None:
    with pytest.raises(InvalidMetadataError, match="must be a dict"):
        check_metadata(["acme"], "tenantId")


@pytest.mark.parametrize("key", ["__dispatcherMetadata", "__dispatcherAnything"])
def test_metadata_carrying_a_reserved_envelope_key_is_refused(key: str) -> None:
    with pytest.raises(InvalidMetadataError, match="reserved"):
        check_metadata({"tenantId": "acme", key: 1}, "tenantId")


@pytest.mark.parametrize("value", [None, "", True, 1.5, ["a"]])
def test_metadata_without_a_usable_scope_value_is_refused(value: object) -> None:
    with pytest.raises(InvalidMetadataError, match="scope_key"):
        check_metadata({"tenantId": value}, "tenantId")


def test_metadata_without_a_scope_key_is_accepted_when_scoping_is_off() -> None:
    assert check_metadata({"region": "eu"}, None) > 0


def test_oversized_metadata_is_refused() -> None:
    with pytest.raises(InvalidMetadataError, match="routing hint"):
        check_metadata({"tenantId": "a", "blob": "x" * MAX_PAYLOAD_BYTES}, "tenantId")


@pytest.mark.parametrize("value", [2**53 - 1, -(2**53 - 1), 2**53, -(2**53), [1, {"deep": 2**60}]])
def test_metadata_integers_not_below_javascripts_safe_limit_are_refused(value: object) -> None:
    with pytest.raises(InvalidMetadataError, match="safe integers"):
        check_metadata({"tenantId": "a", "n": value}, "tenantId")


def test_metadata_integers_just_below_javascripts_safe_limit_are_accepted() -> None:
    assert check_metadata({"tenantId": 2**53 - 2, "n": -(2**53 - 2)}, "tenantId") > 0


def test_metadata_size_is_its_compact_json_size() -> None:
    metadata = {"tenantId": "acme", "codeVersion": "v1", "n": [1, 2]}
    compact = json.dumps(metadata, separators=(",", ":")).encode()
    assert check_metadata(metadata, "tenantId") == len(compact)


def test_the_envelope_overhead_is_exact_for_compact_json() -> None:
    envelope = json.dumps({"__dispatcherMetadata": None, "params": None}, separators=(",", ":"))
    assert len(envelope) - len("null") * 2 == ENVELOPE_OVERHEAD


def test_create_options_default_to_empty() -> None:
    assert check_create_options(None) == {}


def test_unknown_create_options_are_kept() -> None:
    options = {"params": 1, "retention": {"successRetention": "1 day"}, "future": True}
    assert check_create_options(options) == options


def test_create_options_that_are_not_an_object_are_refused() -> None:
    with pytest.raises(InvalidCreateOptionsError, match="must be an object"):
        check_create_options("order-1")


def test_a_batch_that_is_not_a_list_is_refused() -> None:
    with pytest.raises(InvalidBatchError, match="takes a list"):
        check_batch({"params": 1})


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(InvalidBatchError, match="1 to 100 items, got 0"):
        check_batch([])


def test_a_batch_of_101_is_refused() -> None:
    with pytest.raises(InvalidBatchError, match="got 101"):
        check_batch([{}] * 101)


def test_a_batch_of_100_is_accepted() -> None:
    assert len(check_batch([{}] * 100)) == 100


def test_a_batch_with_a_missing_item_names_it() -> None:
    with pytest.raises(InvalidBatchError, match="item 1 is missing"):
        check_batch([{}, None])


def test_a_batch_item_that_is_not_an_object_names_it() -> None:
    with pytest.raises(InvalidCreateOptionsError, match="item 2 must be an object"):
        check_batch([{}, {}, 7])
