"""The ``dwctl`` fixture: the CLI run in-process against the session's dispatcher."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dwctl.main import main
from tests.conftest import Dispatcher

#: ``dwctl(*argv)``: the exit code, stdout and stderr of one in-process run.
Dwctl = Callable[..., tuple[int, str, str]]


@pytest.fixture
def dwctl(
    dispatcher: Dispatcher, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Dwctl:
    """Run ``dwctl ARGS`` in-process against the dispatcher: (exit code, stdout, stderr)."""
    monkeypatch.setenv("DW_URL", dispatcher.url)
    monkeypatch.setenv("DW_ADMIN_TOKEN", dispatcher.token)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
