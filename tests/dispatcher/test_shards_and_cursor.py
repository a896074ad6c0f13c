"""Shard placement (recorded once, never recomputed) and the listing's opaque cursor."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatcher.cursor import CursorError, decode, encode
from dispatcher.http import MAX_SAFE_INTEGER
from dispatcher.shards import ShardError, place, recorded

SHARDS = ("WORKFLOWS_0", "WORKFLOWS_1")


def test_placement_is_a_function_of_the_tenant_identity() -> None:
    assert place("abc", SHARDS) == place("abc", SHARDS)


def test_placement_spreads_tenants_over_every_open_shard() -> None:
    placed = [place(f"{n:032x}", SHARDS) for n in range(1000)]
    assert 400 < placed.count("WORKFLOWS_0") < 600


def test_placement_without_an_open_shard_is_an_error() -> None:
    with pytest.raises(ShardError):
        place("abc", ())


def test_a_recorded_shard_stays_even_when_new_tenants_go_elsewhere() -> None:
    assert recorded("WORKFLOWS_0", (*SHARDS, "WORKFLOWS_2"), legacy="WORKFLOWS_0") == "WORKFLOWS_0"


def test_a_pointer_from_before_shards_means_the_legacy_shard() -> None:
    assert recorded(None, SHARDS, legacy="WORKFLOWS_0") == "WORKFLOWS_0"


def test_a_recorded_shard_that_is_no_longer_bound_is_an_error() -> None:
    with pytest.raises(ShardError, match="bind it again"):
        recorded("WORKFLOWS_9", SHARDS, legacy="WORKFLOWS_0")


@given(st.integers(min_value=0, max_value=MAX_SAFE_INTEGER))
def test_a_cursor_round_trips(row: int) -> None:
    assert decode(encode(row)) == row


@pytest.mark.parametrize("cursor", ["", "x", "aTE6", "MTIz", encode(5) + "!", "aTE6LTE"])
def test_a_cursor_not_made_by_the_api_is_refused(cursor: str) -> None:
    with pytest.raises(CursorError):
        decode(cursor)


@pytest.mark.parametrize(
    "text",
    [
        "i1:999999999999999999",  # past 2**53 - 1: reached SQL as a BigInt (500)
        f"i1:{MAX_SAFE_INTEGER + 1}",
        "i1:\u00b2",  # a superscript two: str.isdigit() took it, int() did not (500)
        "i1:\u0665",  # an Arabic-Indic five: int() read it as 5
        "i1:\uff15",  # a fullwidth five
        "i1:-1",
        "i1: 5",
    ],
)
def test_a_cursor_holding_anything_but_a_safe_row_number_is_refused(text: str) -> None:
    made = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    with pytest.raises(CursorError):
        decode(made)
