"""Bad input fails at the edge with an error that says what to fix."""

import datetime
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynamic_workflows.core import (
    InvalidBatchError,
    InvalidCreateOptionsError,
    InvalidMetadataError,
    InvalidParamsError,
)
from dynamic_workflows.core.validation import (
    ENVELOPE_OVERHEAD,
    MAX_PAYLOAD_BYTES,
    check_batch,
    check_create_options,
    check_metadata,
    check_params,
)

# Text JSON writes as it is (no escapes), so its encoded size is exact.
plain_text = st.text(st.characters(exclude_categories=("Cc", "Cs"), exclude_characters='"\\'))
json_data = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | plain_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(plain_text, inner, max_size=4),
    max_leaves=30,
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


@given(params=json_data)
def test_params_size_is_their_compact_json_size(params: object) -> None:
    encoded = json.dumps(params, separators=(",", ":"), ensure_ascii=False).encode()
    assert check_params(params) == len(encoded)


def test_numbers_count_their_own_digits_so_big_params_of_numbers_fit() -> None:
    params = {"readings": [i * 0.5 for i in range(60_000)], "ids": list(range(60_000))}
    encoded = json.dumps(params, separators=(",", ":")).encode()
    assert len(encoded) < MAX_PAYLOAD_BYTES
    assert check_params(params) == len(encoded)


def test_params_of_every_supported_kind_are_accepted() -> None:
    params = {
        "none": None,
        "flag": True,
        "n": 1,
        "x": 1.5,
        "s": "héllo ☃",
        "b": b"\x00\x01",
        "when": datetime.datetime(2026, 11, 24, 12, 0),
        "list": [1, [2, {"deep": "yes"}]],
    }
    assert check_params(params) > 0


def test_params_just_under_the_limit_are_accepted() -> None:
    assert check_params("x" * (MAX_PAYLOAD_BYTES - 2)) == MAX_PAYLOAD_BYTES


def test_params_over_the_limit_are_refused() -> None:
    with pytest.raises(InvalidParamsError, match="over the engine's limit of 1048576 bytes"):
        check_params("x" * (MAX_PAYLOAD_BYTES - 1))


def test_multibyte_text_counts_its_utf8_bytes() -> None:
    with pytest.raises(InvalidParamsError, match="limit"):
        check_params("☃" * (MAX_PAYLOAD_BYTES // 3 + 1))


def test_cyclic_params_are_refused_with_the_path_of_the_cycle() -> None:
    params: dict[str, object] = {"a": {}}
    params["a"]["self"] = params  # type: ignore[index]
    with pytest.raises(InvalidParamsError, match=r"params\.a\.self refers back to itself"):
        check_params(params)


def test_a_value_shared_twice_without_a_cycle_is_accepted() -> None:
    shared = {"k": 1}
    assert check_params({"a": shared, "b": shared}) > 0


def test_a_function_in_params_is_refused_with_its_path() -> None:
    with pytest.raises(InvalidParamsError, match=r"params\.items\[1\] is a function"):
        check_params({"items": [1, lambda: None]})


def test_a_non_string_dict_key_is_refused() -> None:
    with pytest.raises(InvalidParamsError, match="keys must be strings"):
        check_params({1: "one"})


def test_nan_is_refused() -> None:
    with pytest.raises(InvalidParamsError, match="nan"):
        check_params({"x": float("nan")})


def test_deeply_nested_params_do_not_hit_the_recursion_limit() -> None:
    params: object = "leaf"
    for _ in range(5000):
        params = [params]
    assert check_params(params) > 0


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
