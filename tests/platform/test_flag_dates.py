"""The flag table (dynamic_workflows.core.flags) says what the pinned workerd says.

For a flag that became the default on D, a worker at D naming it gets workerd's
"became the default as of D" (an upload error on Cloudflare) and a worker at the
day before does not; a flag with no date never gets it, even at the newest date
the binary supports. So the table cannot drift from the binary: a workerd
upgrade that moves a date fails here.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from dispatcher.uploads import ALLOWED_FLAGS
from dynamic_workflows.core.flags import (
    DEFAULT_FROM,
    PYTHON_DYNAMIC_WORKER_FLAGS,
    WORKERD_VERSION,
    redundancy_message,
)
from dynamic_workflows.runtime.flags import DEVELOPMENT_FLAG, NO_DEDICATED_SNAPSHOT_FLAG
from tools.offline_runtime.devserver import DEV_FLAGS
from tools.offline_runtime.pins import NPM

from .workerd_probe import flag_warnings, newest_date

DATED = sorted(flag for flag, since in DEFAULT_FROM.items() if since is not None)
UNDATED = sorted(flag for flag, since in DEFAULT_FROM.items() if since is None)


def the_day_before(date: str) -> str:
    return (datetime.date.fromisoformat(date) - datetime.timedelta(days=1)).isoformat()


def test_the_table_was_read_from_the_pinned_workerd() -> None:
    assert NPM["@cloudflare/workerd-linux-64"] == WORKERD_VERSION


def test_the_table_covers_every_flag_the_project_names() -> None:
    named = {*ALLOWED_FLAGS, *DEV_FLAGS, DEVELOPMENT_FLAG, NO_DEDICATED_SNAPSHOT_FLAG}
    assert named | set(PYTHON_DYNAMIC_WORKER_FLAGS) <= set(DEFAULT_FROM)


@pytest.mark.parametrize("flag", DATED)
def test_workerd_says_the_flag_became_the_default_on_the_tables_date(
    flag: str, tmp_path: Path
) -> None:
    since = DEFAULT_FROM[flag]
    assert since is not None
    expected = f"service main: {redundancy_message(flag, since)}"
    assert flag_warnings(tmp_path, since, [flag]) == [expected]


@pytest.mark.parametrize("flag", DATED)
def test_workerd_accepts_the_flag_the_day_before_the_tables_date(flag: str, tmp_path: Path) -> None:
    since = DEFAULT_FROM[flag]
    assert since is not None
    assert flag_warnings(tmp_path, the_day_before(since), [flag]) == []


@pytest.mark.parametrize("flag", UNDATED)
def test_workerd_never_calls_an_undated_flag_a_default(flag: str, tmp_path: Path) -> None:
    assert flag_warnings(tmp_path, newest_date(), [flag]) == []
