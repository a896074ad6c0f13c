"""``make dev``'s terminal: request lines and errors; a deliberate refusal, and a run the
engine stops on purpose, in one plain line each; none of wrangler's stray " Error" tails."""

import time

import httpx
import pytest

from tests.conftest import Dispatcher, act, create, wait_until_waiting_for_event
from tools.dev_terminal import terminal_lines

RED = "\x1b[31m✘ \x1b[41;31m[\x1b[41;97mERROR\x1b[41;31m]\x1b[0m \x1b[1m"
#: Lines as wrangler 4.164 writes them (copied from dev-server logs).
LOG = [
    "[wrangler:info] Ready on http://127.0.0.1:8787",
    f"{RED}Uncaught InstanceNotFoundError: dynamic-workflows: instance.not_found: "
    "no workflow instance with id 'nope'. Error\x1b[0m",
    "",  # workerd puts a blank line before the stack
    "      at namedError (file:///work/src/dynamic_workflows/runtime/native.mjs:164:17)",
    "      at refusal (file:///work/src/dynamic_workflows/runtime/native.mjs:159:10)",
    "[wrangler:info] GET /t/js-orders/workflows/nope 404 Not Found (38ms)",
    f"{RED}Uncaught TypeError: boom Error\x1b[0m",
    "      at handle (index.js:3:9)",
    "│ dispatcher/app.py │ python │ 11.37 KiB │",
    "[wrangler:warn] Unable to fetch the `Request.cf` object! Falling back to a default ...",
    f"{RED}Uncaught Error: Aborting engine: User called pause \x1b[0m",
    f"{RED}Uncaught Error: Aborting engine: User called pause Error\x1b[0m",
    "      at namedError (file:///work/src/dynamic_workflows/runtime/native.mjs:164:17)",
    "      at null.<anonymous> (file:///work/src/dynamic_workflows/runtime/native.mjs:253:45)",
]


def test_the_dispatchers_json_line_of_a_failure_reads_as_its_id_message_and_traceback() -> None:
    line = (
        RED + '{"event": "dispatcher.error", "id": "d57d2e53fbc7", "message": "internal error", '
        '"detail": "Traceback (most recent call last):\\n  File \\"front.py\\", line 57, '
        'in fetch\\nRuntimeError: raised on purpose\\n"}\x1b[0m'
    )
    assert list(terminal_lines([line])) == [
        "dispatcher error d57d2e53fbc7: internal error",
        "Traceback (most recent call last):",
        '  File "front.py", line 57, in fetch',
        "RuntimeError: raised on purpose",
    ]


def test_refusals_and_engine_stops_are_one_plain_line_and_other_errors_keep_their_stack() -> None:
    assert list(terminal_lines(LOG)) == [
        "[wrangler:info] Ready on http://127.0.0.1:8787",
        "refused: InstanceNotFoundError: dynamic-workflows: instance.not_found: "
        "no workflow instance with id 'nope'.",
        "[wrangler:info] GET /t/js-orders/workflows/nope 404 Not Found (38ms)",
        f"{RED}Uncaught TypeError: boom\x1b[0m",
        "      at handle (index.js:3:9)",
        "run stopped: Aborting engine: User called pause",
        "run stopped: Aborting engine: User called pause",
    ]


def test_a_message_that_ends_in_error_keeps_it_once_wranglers_tail_is_gone() -> None:
    line = f"{RED}Uncaught InvalidParamsError: dynamic-workflows: not an Error Error\x1b[0m"
    assert list(terminal_lines([line])) == [
        "refused: InvalidParamsError: dynamic-workflows: not an Error"
    ]


@pytest.mark.workerd
@pytest.mark.parametrize("tenant", ["js-orders", "py-orders"])
def test_a_pause_and_a_refusal_in_real_workerd_reach_the_terminal_as_plain_lines(
    client: httpx.Client, dispatcher: Dispatcher, tenant: str
) -> None:
    if dispatcher.server is None:
        pytest.skip("no local dev server log")
    log = dispatcher.server.log_path
    start = log.stat().st_size
    instance_id = create(client, tenant, params={"waitForEvent": True})
    wait_until_waiting_for_event(client, tenant, instance_id)
    assert act(client, tenant, instance_id, "pause").status_code == 200
    assert client.get(f"/t/{tenant}/workflows/no-such-instance").status_code == 404
    deadline = time.monotonic() + 20
    while True:
        with log.open("rb") as handle:
            handle.seek(start)
            lines = handle.read().decode(errors="replace").splitlines()
        shown = list(terminal_lines(lines))
        stopped = "run stopped: Aborting engine: User called pause" in shown
        refused = any(line.startswith("refused: InstanceNotFoundError: ") for line in shown)
        if (stopped and refused) or time.monotonic() > deadline:
            break  # both lines are written after their responses, in either order
        time.sleep(0.5)
    assert "run stopped: Aborting engine: User called pause" in shown, lines
    assert any(line.startswith("refused: InstanceNotFoundError: ") for line in shown), lines
    assert not [line for line in shown if "ERROR" in line or line.endswith(" Error")], shown
