"""``uv run pywrangler dev``, the command a Python Workers user types, serves the dispatcher.

Run here as after ``. tools/offline_runtime/activate``: pywrangler's sync step finds
nothing to do (the set-up vendored ``python_modules`` and wrote sync's tokens), and its
``npx wrangler dev`` runs the pinned wrangler on the offline runtime. The only arguments
added are a free loopback port and a fresh state directory; the server runs once for
this module, beside the session's dispatcher.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tools.offline_runtime.devserver import DevServer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "pywrangler-test-token"
pytestmark = pytest.mark.workerd


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    with DevServer(
        ROOT,
        persist_dir=tmp_path_factory.mktemp("pywrangler-state"),
        launcher=["uv", "run", "pywrangler"],
        variables={"ADMIN_TOKEN": TOKEN},
    ) as server:
        yield server


def test_the_dispatcher_answers(server: DevServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        unknown = client.get("/t/nobody/workflows/x")
        assert unknown.status_code == 404
        assert unknown.json() == {"error": "unknown tenant 'nobody'"}
        admin = client.get("/admin/tenants/nobody", headers={"authorization": f"Bearer {TOKEN}"})
        assert admin.status_code == 404, admin.text


def test_it_ran_through_pywrangler_without_a_sync(server: DevServer) -> None:
    log = " ".join(server.log_tail(400).split())
    assert "Passing command to npx wrangler: npx --yes wrangler dev --ip 127.0.0.1" in log
    assert "Installing packages" not in log and "uv venv" not in log
