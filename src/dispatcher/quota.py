"""Per-tenant quotas: creates per second (a token bucket) and instances not yet finished.

Pure arithmetic, tested on CPython; the tenant's index (``dispatcher.index``)
keeps the bucket and the count and calls ``admit`` inside one synchronous
Durable Object method, so the check and the reservation are one step.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from dynamic_workflows import QuotaExceededError

#: Bounds on what an operator may set (a quota of 0 would lock a tenant out: delete it instead).
#: The slowest rate is one create per 1,000 s: a rate of 1e-320 was accepted and made every
#: refusal say "retry in inf s", a tenant locked out for good.
MIN_RATE = 0.001
MAX_RATE = 10_000.0
MAX_BURST = 10_000
MAX_UNFINISHED = 10_000_000


class QuotaError(ValueError):
    """A quota body an operator sent that cannot be a quota (400, with what to fix)."""


@dataclass(frozen=True, slots=True)
class Quota:
    """``creates_per_second`` refills a bucket of ``burst`` creates; at most
    ``max_unfinished`` instances not yet finished (queued, running, waiting, paused)."""

    creates_per_second: float
    burst: int
    max_unfinished: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object, base: Quota) -> Quota:
        """``base`` with the fields ``data`` sets; anything else is a ``QuotaError``."""
        if not isinstance(data, dict):
            raise QuotaError("the quota must be a JSON object")
        unknown = sorted(set(data) - {"creates_per_second", "burst", "max_unfinished"})
        if unknown:
            raise QuotaError(
                f"unknown quota field(s) {unknown}: use creates_per_second, burst, max_unfinished"
            )
        rate = data.get("creates_per_second", base.creates_per_second)
        if (
            isinstance(rate, bool)
            or not isinstance(rate, int | float)
            or not MIN_RATE <= rate <= MAX_RATE
        ):
            raise QuotaError(
                f"creates_per_second must be a number from {MIN_RATE:g} to {MAX_RATE:g}"
            )
        burst = _count(data, "burst", base.burst, MAX_BURST)
        unfinished = _count(data, "max_unfinished", base.max_unfinished, MAX_UNFINISHED)
        return replace(base, creates_per_second=float(rate), burst=burst, max_unfinished=unfinished)


@dataclass(frozen=True, slots=True)
class Bucket:
    """A token bucket: ``tokens`` as of ``at`` (seconds)."""

    tokens: float
    at: float

    @classmethod
    def full(cls, quota: Quota, now: float) -> Bucket:
        return cls(float(quota.burst), now)

    def refilled(self, quota: Quota, now: float) -> Bucket:
        elapsed = max(0.0, now - self.at)
        return Bucket(
            min(float(quota.burst), self.tokens + elapsed * quota.creates_per_second), now
        )


def admit(quota: Quota, bucket: Bucket, unfinished: int, count: int, now: float) -> Bucket:
    """The bucket after admitting ``count`` creates now, or ``QuotaExceededError``.

    All or nothing: a batch is admitted whole or not at all. The unfinished cap is
    checked first, so a refusal by it takes no tokens.
    """
    if unfinished + count > quota.max_unfinished:
        raise QuotaExceededError(
            "max_unfinished",
            quota.max_unfinished,
            f"{unfinished} unfinished now, {count} more asked",
        )
    if count > quota.burst:
        raise QuotaExceededError(
            "burst",
            quota.burst,
            f"a batch of {count} can never fit",
            when="with a batch of at most the burst size",
        )
    # A quota stored before the floor existed still gets a finite wait.
    quota = replace(quota, creates_per_second=max(quota.creates_per_second, MIN_RATE))
    current = bucket.refilled(quota, now)
    if current.tokens + 1e-9 < count:
        wait = (count - current.tokens) / quota.creates_per_second
        raise QuotaExceededError(
            "creates_per_second",
            quota.creates_per_second,
            f"burst {quota.burst}, {count} asked",
            retry_after=max(wait, 0.01),
        )
    return Bucket(max(0.0, current.tokens - count), now)


def _count(data: dict[str, Any], key: str, default: int, limit: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise QuotaError(f"{key} must be a whole number from 1 to {limit}")
    return int(value)
