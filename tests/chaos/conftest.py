"""The chaos tier: crashes, races and runaway tenants against a dev server of its own.

One dev server for the tier (a fresh state directory, the bounded upload check as
``make dev`` runs it), which the tests may kill with SIGKILL and start again. Each case
records its figures (``figures``); they are printed at the end of the run, so the report
of ``make test`` carries them.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tools.tenant_code import upload_body

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "chaos-admin-token"
CHAOS_TENANT = upload_body(Path(__file__).parent / "tenants" / "js-chaos")
FINAL = {"complete", "errored", "terminated"}
_SERIAL = itertools.count()
#: (case, figures) of every case that ran, printed in the terminal summary.
FIGURES: list[tuple[str, dict[str, Any]]] = []


@dataclass
class Chaos:
    """The tier's dev server, and clients for it that outlive its restarts."""

    server: Any  # DevServer

    @property
    def url(self) -> str:
        return str(self.server.url)

    def admin(self, timeout: float = 120.0) -> httpx.Client:
        headers = {"authorization": f"Bearer {TOKEN}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def client(self, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)


@pytest.fixture(scope="package")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chaos]:
    if os.environ.get("DW_BASE_URL"):
        pytest.skip("the chaos tier kills and restarts a local dev server")
    from tools.offline_runtime.devserver import DevServer  # noqa: PLC0415 - local runs only

    state = tmp_path_factory.mktemp("chaos-state")
    with DevServer(
        ROOT,
        persist_dir=state,
        debug_routes=True,
        variables={"ADMIN_TOKEN": TOKEN},
        upload_probe=True,
        wake_stalled=True,
    ) as server:
        yield Chaos(server)


def fresh_name(prefix: str) -> str:
    return f"{prefix}-{next(_SERIAL)}-{os.getpid() % 1000}"


def record(case: str, **figures: Any) -> None:
    """Keep a case's figures for the summary (and show them with ``-s``)."""
    FIGURES.append((case, figures))
    print(f"\nchaos {case}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("chaos figures")
        for case, figures in FIGURES:
            line = ", ".join(f"{k}={v}" for k, v in figures.items())
            terminalreporter.write_line(f"{case}: {line}")
