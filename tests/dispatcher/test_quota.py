"""Quota arithmetic: a token bucket with a burst, and a cap on unfinished instances."""

import math

import pytest

from dispatcher.quota import MIN_RATE, Bucket, Quota, QuotaError, admit
from dynamic_workflows import QuotaExceededError

QUOTA = Quota(creates_per_second=2.0, burst=4, max_unfinished=10)


def test_a_full_bucket_admits_a_burst_of_its_size() -> None:
    bucket = Bucket.full(QUOTA, now=0.0)
    for _ in range(4):
        bucket = admit(QUOTA, bucket, unfinished=0, count=1, now=0.0)
    assert bucket.tokens == pytest.approx(0.0)


def test_a_create_past_the_burst_is_refused_with_when_to_retry() -> None:
    empty = Bucket(0.0, at=0.0)
    with pytest.raises(QuotaExceededError) as refused:
        admit(QUOTA, empty, unfinished=0, count=1, now=0.0)
    assert refused.value.quota == "creates_per_second"
    assert refused.value.retry_after == pytest.approx(0.5)
    assert "creates_per_second is 2" in str(refused.value)
    assert "retry in 0.50 s" in str(refused.value)


def test_the_bucket_refills_at_the_rate_up_to_the_burst() -> None:
    assert Bucket(0.0, at=0.0).refilled(QUOTA, now=1.0).tokens == pytest.approx(2.0)
    assert Bucket(0.0, at=0.0).refilled(QUOTA, now=100.0).tokens == pytest.approx(4.0)
    assert admit(QUOTA, Bucket(0.0, at=0.0), unfinished=0, count=1, now=0.5).tokens == (
        pytest.approx(0.0)
    )


def test_a_batch_is_admitted_whole_or_not_at_all() -> None:
    bucket = Bucket(3.0, at=0.0)
    with pytest.raises(QuotaExceededError):
        admit(QUOTA, bucket, unfinished=0, count=4, now=0.0)
    assert admit(QUOTA, bucket, unfinished=0, count=3, now=0.0).tokens == pytest.approx(0.0)


def test_a_batch_larger_than_the_burst_is_refused_as_never_fitting() -> None:
    with pytest.raises(QuotaExceededError, match="batch of at most the burst") as refused:
        admit(QUOTA, Bucket.full(QUOTA, 0.0), unfinished=0, count=5, now=0.0)
    assert refused.value.quota == "burst"


def test_creates_past_the_unfinished_cap_are_refused_without_taking_tokens() -> None:
    bucket = Bucket.full(QUOTA, 0.0)
    with pytest.raises(QuotaExceededError, match="when one of your unfinished") as refused:
        admit(QUOTA, bucket, unfinished=9, count=2, now=0.0)
    assert refused.value.quota == "max_unfinished"
    assert refused.value.retry_after is None
    assert admit(QUOTA, bucket, unfinished=9, count=1, now=0.0).tokens == pytest.approx(3.0)


def test_a_quota_body_sets_only_the_fields_it_names() -> None:
    assert Quota.from_json({"burst": 9}, QUOTA) == Quota(2.0, 9, 10)
    assert Quota.from_json({}, QUOTA) == QUOTA


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"rate": 1},
        {"creates_per_second": 0},
        {"creates_per_second": 1e-320},  # accepted once: "retry in inf s", locked out
        {"creates_per_second": MIN_RATE / 2},
        {"creates_per_second": float("nan")},
        {"creates_per_second": float("inf")},
        {"creates_per_second": 10**400},
        {"creates_per_second": "5"},
        {"creates_per_second": True},
        {"burst": 0},
        {"burst": 1.5},
        {"max_unfinished": -1},
        {"max_unfinished": 10**12},
    ],
)
def test_a_quota_body_that_is_not_a_quota_is_refused_with_what_to_fix(body: object) -> None:
    with pytest.raises(QuotaError):
        Quota.from_json(body, QUOTA)


def test_the_slowest_rate_an_operator_may_set_is_one_create_per_thousand_seconds() -> None:
    assert Quota.from_json({"creates_per_second": MIN_RATE}, QUOTA).creates_per_second == MIN_RATE


def test_a_quota_stored_below_the_floor_still_says_when_to_retry() -> None:
    stored = Quota(creates_per_second=1e-320, burst=4, max_unfinished=10)
    with pytest.raises(QuotaExceededError) as refused:
        admit(stored, Bucket(0.0, at=0.0), unfinished=0, count=1, now=0.0)
    assert refused.value.retry_after is not None
    assert math.isfinite(refused.value.retry_after)
    assert refused.value.retry_after == pytest.approx(1 / MIN_RATE)
    assert "inf" not in str(refused.value)
