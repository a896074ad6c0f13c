"""What a tenant prints or throws reaches the operator's terminal as text, never as control:
``dwctl logs`` and ``make dev``'s terminal show escape sequences, carriage returns, newlines
and bidi overrides escaped, so none clears the screen, writes the clipboard or forges a line."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from dwctl.main import main
from tests.conftest import Dispatcher
from tests.e2e.logs_helpers import wait_for_logs
from tools.dev_terminal import terminal_lines

pytestmark = pytest.mark.workerd

FORGER = "js-log-forger"
#: What a terminal would act on (the line feed between lines aside): C0 controls, DEL, C1
#: controls, bidirectional overrides and isolates.
OBEYED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: The colour sequences a dev server's own log is allowed to keep.
COLOUR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def printed(client: httpx.Client, admin: httpx.Client) -> str:
    """A marker the forger printed (console.log and console.error) and threw, each time
    with the terminal sequences."""
    text = f"terminal-{uuid.uuid4().hex[:10]}"
    response = client.get(f"/t/{FORGER}/terminal", params={"text": text})
    assert response.status_code == 502, response.text  # it threw
    wait_for_logs(admin, FORGER, lambda es: sum(text in e["message"] for e in es) >= 3)
    return text


def test_dwctl_logs_shows_a_tenants_terminal_sequences_as_text(
    printed: str,
    dispatcher: Dispatcher,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DW_URL", dispatcher.url)
    monkeypatch.setenv("DW_ADMIN_TOKEN", dispatcher.token)
    assert main(["logs", FORGER, "--limit", "200"]) == 0
    out = capsys.readouterr().out
    assert not OBEYED.search(out), [line for line in out.splitlines() if OBEYED.search(line)]
    shown = [line for line in out.splitlines() if printed in line]
    assert len(shown) == 3, shown  # the log and error lines and the exception: one line each
    for line in shown:
        for escaped in ("\\x1b]52;c;", "\\x1b[2J", "\\n2026-01-01T", "\\rrewritten", "\\x9b8m"):
            assert escaped in line, (escaped, line)
        assert "\\u202egnp.exe" in line, line
    # The forged line is inside the tenant's own line, not a line of its own.
    assert not [line for line in out.splitlines() if line.startswith("2026-01-01T00:00:00")]


def test_make_devs_terminal_shows_a_tenants_terminal_sequences_as_text(
    printed: str, dispatcher: Dispatcher
) -> None:
    if dispatcher.server is None:
        pytest.skip("make dev's terminal reads a local dev server's log")
    log = dispatcher.server.log_path.read_text(errors="replace").splitlines()
    # The tenant's own console.error, as it printed it; and the dispatcher's JSON line of the
    # throw, whose traceback make dev shows decoded.
    assert any("\x1b]52;c;" in line and printed in line for line in log), "no attack in the log"
    shown = list(terminal_lines(log))
    assert len([line for line in shown if printed in line]) >= 2, "the tenant's lines are not shown"
    for line in shown:
        assert not OBEYED.search(COLOUR.sub("", line)), line
