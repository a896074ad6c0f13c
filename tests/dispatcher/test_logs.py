"""The log entries' bounds and the logs query, on CPython."""

from __future__ import annotations

import pytest

from dispatcher import cursor
from dispatcher.config import LOG_LIMITS
from dispatcher.logs import (
    CURSOR_KIND,
    Entry,
    LogQuery,
    LogQueryError,
    cut,
    keep_newest,
    normalise,
)

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/session/metadata/main.py", line 3, in run\n'
    "    raise PaymentDeclined('card')\n"
    "main.PaymentDeclined: card\n"
)


def entry(message: str = "x", **fields: object) -> Entry:
    return normalise({"message": message, **fields}, 1000.0)


def test_an_entry_keeps_what_the_tail_sent() -> None:
    raw = {"at": 5.0, "level": "warn", "source": "run", "instance": "a", "message": "hi"}
    assert normalise(raw, 0.0) == Entry(5.0, "warn", "run", "a", None, "hi")


def test_unknown_levels_and_sources_are_named_as_such() -> None:
    assert (entry(level="shout").level, entry(source="mine").source) == ("log", "event")


def test_a_python_exception_is_named_after_its_final_class_and_keeps_its_traceback() -> None:
    got = entry(TRACEBACK, name="PythonError", level="error")
    assert (got.name, got.message) == ("PaymentDeclined", TRACEBACK)


def test_a_missing_or_odd_time_is_the_time_it_was_stored() -> None:
    assert entry(at="yesterday").at == 1000.0 and entry(at=float("nan")).at == 1000.0


def test_a_long_message_is_cut_to_the_limit_and_says_so() -> None:
    got = entry("é" * LOG_LIMITS.message_bytes)
    assert len(got.message.encode()) <= LOG_LIMITS.message_bytes
    assert got.message.endswith("bytes cut]")


def test_cut_leaves_short_text_alone_and_never_splits_a_character() -> None:
    assert cut("short", 10) == "short"
    cut_text = cut("€" * 100, 50)
    assert len(cut_text.encode()) <= 50 and "\ufffd" not in cut_text


def test_a_batch_larger_than_the_store_keeps_its_newest_entries() -> None:
    batch = [entry(str(i)) for i in range(10)]
    assert [e.message for e in keep_newest(batch, 3, 10_000)] == ["7", "8", "9"]
    room = 2 * batch[0].size()
    assert [e.message for e in keep_newest(batch, 10, room)] == ["8", "9"]


def query(**params: str) -> LogQuery:
    return LogQuery.from_params(params.get)


def test_the_query_reads_its_parameters() -> None:
    got = query(level="warn,error", instance="i-1", limit="7", cursor=cursor.encode(9, CURSOR_KIND))
    assert got == LogQuery("i-1", frozenset({"warn", "error"}), 9, None, 7)
    assert query(after="12").after == 12 and query() == LogQuery()


@pytest.mark.parametrize(
    ("params", "fix"),
    [
        ({"level": "loud"}, "level"),
        ({"limit": "201"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"after": "1e3"}, "after"),
        ({"after": "1", "cursor": "x"}, "not both"),
        ({"instance": "i" * 101}, "instance"),
    ],
)
def test_a_bad_query_says_which_parameter_to_fix(params: dict[str, str], fix: str) -> None:
    with pytest.raises(LogQueryError, match=fix):
        query(**params)


def test_an_instance_listing_cursor_is_refused_as_a_logs_cursor() -> None:
    with pytest.raises(cursor.CursorError):
        query(cursor=cursor.encode(9))
