"""The compatibility-flag table: which flags a date already enables.

(The dates themselves are checked against the pinned workerd binary in
tests/platform/test_flag_dates.py.)
"""

import pytest

from dynamic_workflows.core.flags import (
    DEFAULT_FROM,
    RedundantFlagError,
    UnknownFlagError,
    default_from,
    dynamic_worker_flags,
    enabled_by_date,
    needed_flags,
    redundancy_message,
    redundant_flags,
)


def test_a_flag_is_enabled_from_its_default_date_on() -> None:
    assert enabled_by_date("enable_python_external_sdk", "2026-04-21")
    assert enabled_by_date("enable_python_external_sdk", "2026-11-01")


def test_a_flag_is_not_enabled_the_day_before_its_default_date() -> None:
    assert not enabled_by_date("enable_python_external_sdk", "2026-04-20")


def test_a_flag_without_a_default_date_is_never_enabled_by_date() -> None:
    assert default_from("python_workers") is None
    assert not enabled_by_date("python_workers", "2099-12-31")


def test_an_unknown_flag_asks_to_be_added_to_the_table() -> None:
    with pytest.raises(UnknownFlagError, match=r"not in dynamic_workflows\.core\.flags"):
        enabled_by_date("no_such_flag", "2026-11-01")


def test_redundant_flags_names_each_with_its_date_and_ignores_unknown_ones() -> None:
    flags = ["python_workers", "rpc", "no_such_flag", "nodejs_compat"]
    assert redundant_flags(flags, "2026-11-01") == [
        ("rpc", "2024-04-03"),
        ("nodejs_compat", "2026-08-04"),
    ]
    assert redundant_flags(flags, "2024-04-02") == []


def test_needed_flags_drops_what_the_date_enables_and_keeps_the_order() -> None:
    wanted = ["python_workers", "enable_python_external_sdk", "python_workers"]
    assert needed_flags(wanted, "2026-11-01") == ["python_workers"]
    assert needed_flags(wanted, "2026-04-20") == ["python_workers", "enable_python_external_sdk"]


def test_the_message_is_the_one_workerd_prints() -> None:
    assert redundancy_message("rpc", "2024-04-03") == (
        "The compatibility flag rpc became the default as of 2024-04-03 "
        "so does not need to be specified anymore."
    )


def test_a_malformed_date_says_what_a_date_looks_like() -> None:
    with pytest.raises(ValueError, match="must look like 2026-11-01"):
        enabled_by_date("rpc", "2026-13-01")


def test_every_date_in_the_table_is_a_real_date() -> None:
    for flag, since in DEFAULT_FROM.items():
        if since is not None:
            assert enabled_by_date(flag, since), flag


def test_a_python_dynamic_worker_names_python_and_the_vendored_sdk_at_every_date() -> None:
    # Worker Loader turns the vendored SDK off unless the code names the flag (see core.flags).
    for date in ("2026-04-20", "2026-11-01"):
        assert dynamic_worker_flags([], date, python=True) == [
            "enable_python_external_sdk",
            "python_workers",
        ]


def test_a_javascript_dynamic_worker_gets_only_its_own_flags_sorted() -> None:
    flags = dynamic_worker_flags(["nodejs_als", "nodejs_zlib"], "2026-11-01", python=False)
    assert flags == ["nodejs_als", "nodejs_zlib"]


def test_the_development_runtimes_flags_are_added_once() -> None:
    extra = ("python_workers_development", "disable_python_dedicated_snapshot", "python_workers")
    assert dynamic_worker_flags([], "2026-11-01", python=True, extra=extra) == [
        "disable_python_dedicated_snapshot",
        "enable_python_external_sdk",
        "python_workers",
        "python_workers_development",
    ]


def test_a_dynamic_worker_naming_a_flag_its_date_enables_is_refused_in_workerds_words() -> None:
    with pytest.raises(RedundantFlagError) as refused:
        dynamic_worker_flags(["nodejs_compat", "rpc"], "2026-11-01", python=True)
    assert redundancy_message("nodejs_compat", "2026-08-04") in str(refused.value)
    assert redundancy_message("rpc", "2024-04-03") in str(refused.value)


def test_a_javascript_dynamic_worker_may_not_name_the_python_sdk_flag_its_date_enables() -> None:
    with pytest.raises(RedundantFlagError, match="enable_python_external_sdk"):
        dynamic_worker_flags(["enable_python_external_sdk"], "2026-11-01", python=False)
