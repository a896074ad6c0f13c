"""Why the dispatcher's config does not name ``enhanced_error_serialization``.

An error thrown across RPC keeps its own ``name`` only when the *receiving*
isolate has enhanced error serialization; otherwise workerd folds the name into
the message (``{"name": "Error", "message": "Name: message"}``). The dispatcher's
date (2026-11-01) enables it for the dispatcher; naming the flag as well is a
warning locally and an upload error on Cloudflare. miniflare runs the local
Workflows engine at 2024-10-22 with the dispatcher's flags, so without the flag
the local engine records folded names, as it does for the JavaScript reference
(docs/development.md, "Compatibility flags"). These tests pin that platform
behaviour: an engine-like receiver at 2024-10-22 gets the folded shape, the same
receiver with the flag gets the name, and the sender's date changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .workerd_probe import run_workers

#: The dispatcher's side: a run that fails with a class of its own, as the library's errors do.
SENDER = """
import { WorkerEntrypoint } from "cloudflare:workers";
class MissingDispatcherMetadataError extends Error {
  name = "MissingDispatcherMetadataError";
}
export class Runner extends WorkerEntrypoint {
  async run() { throw new MissingDispatcherMetadataError("dynamic-workflows: no metadata"); }
}
export default { async fetch() { return new Response("unused"); } };
"""
#: The engine's side: calls run over RPC and logs what it caught.
RECEIVER = """
export default {
  async test(controller, env) {
    try { await env.DISPATCHER.run(); } catch (error) {
      console.log("CAUGHT " + JSON.stringify({ name: error.name, message: error.message }));
    }
  },
};
"""


def caught(tmp_path: Path, receiver_flags: list[str], sender_date: str) -> dict[str, str]:
    output = run_workers(
        tmp_path,
        {
            "engine": {
                "date": "2024-10-22",  # miniflare's local Workflows engine
                "flags": receiver_flags,
                "source": RECEIVER,
                "bindings": '(name = "DISPATCHER", service = (name = "dispatcher", '
                'entrypoint = "Runner"))',
            },
            "dispatcher": {"date": sender_date, "flags": [], "source": SENDER},
        },
    )
    line = next(line for line in output.splitlines() if "CAUGHT " in line)
    return dict(json.loads(line.split("CAUGHT ", 1)[1]))


@pytest.mark.parametrize("sender_date", ["2024-10-22", "2026-11-01"])
def test_an_engine_at_its_old_date_receives_the_name_folded_into_the_message(
    tmp_path: Path, sender_date: str
) -> None:
    assert caught(tmp_path, [], sender_date) == {
        "name": "Error",
        "message": "MissingDispatcherMetadataError: dynamic-workflows: no metadata",
    }


def test_an_engine_with_enhanced_error_serialization_receives_the_name(tmp_path: Path) -> None:
    assert caught(tmp_path, ["enhanced_error_serialization"], "2026-11-01") == {
        "name": "MissingDispatcherMetadataError",
        "message": "dynamic-workflows: no metadata",
    }
