"""The compatibility-flag reports of dev-server logs: what the test session fails on (a flag
Cloudflare would refuse on upload is only a warning locally)."""

from __future__ import annotations

import re
from pathlib import Path

_FLAG_REPORT = re.compile(r"compatibility flag", re.IGNORECASE)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

#: (log file, offset) of every dev server this process started: what the tests scan.
STARTED: list[tuple[Path, int]] = []


def flag_reports(lines: list[str]) -> list[str]:
    """The lines of a dev-server log that report on a compatibility flag."""
    return [line for line in lines if _FLAG_REPORT.search(line)]


def started_flag_reports(under: Path | None = None) -> tuple[int, list[str]]:
    """How many dev-server logs there are, and their compatibility-flag lines: the logs this
    process started (from where each start began) and every ``devserver-*.log`` under
    ``under`` (those of servers other processes started, e.g. ``make dev`` run by a test)."""
    logs: dict[Path, int] = {}
    for log, offset in STARTED:
        logs.setdefault(log.resolve(), offset)
    for log in sorted(under.rglob("devserver-*.log")) if under is not None else ():
        logs.setdefault(log.resolve(), 0)
    found = []
    for log, offset in logs.items():
        with log.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode(errors="replace")
        lines = flag_reports(_ANSI.sub("", text).splitlines())
        found += [f"{log.name}: {line}" for line in lines]
    return len(logs), found
