"""Reading a tenant's logs through the admin API and the dispatcher's log, for the tests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Dispatcher
from tools.tenant_code import upload, upload_body

TENANTS = Path(__file__).resolve().parent / "tenants"


def upload_log_tenants(admin: httpx.Client) -> None:
    for name in ("js-logs", "py-logs"):
        upload(admin, name, upload_body(TENANTS / name))


def logs(admin: httpx.Client, tenant: str, **params: Any) -> dict[str, Any]:
    response = admin.get(f"/admin/tenants/{tenant}/logs", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def wait_for_logs(
    admin: httpx.Client,
    tenant: str,
    found: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 30.0,
    **params: Any,
) -> list[dict[str, Any]]:
    """Poll the tenant's logs (a tail writes them after the invocation) until ``found``."""
    deadline = time.monotonic() + timeout
    while True:
        entries: list[dict[str, Any]] = logs(admin, tenant, **params)["logs"]
        if found(entries):
            return entries
        if time.monotonic() > deadline:
            raise AssertionError(f"{tenant}'s logs never matched: {entries[:10]}")
        time.sleep(0.2)


def with_message(text: str) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda entries: any(text in entry["message"] for entry in entries)


def log_lines(dispatcher: Dispatcher, marker: str, timeout: float = 15.0) -> list[dict[str, Any]]:
    """The JSON log lines of tenant entries whose text holds ``marker``, as objects with
    their text under ``"raw"``.

    The local dev server prints warnings and errors (its log level is ``info``), so the
    tests look for lines of those levels. Locally it also prints what tenant code itself
    prints (in production a dynamic worker's console is not in the dispatcher's Workers
    Logs), so a tenant's own line that imitates the dispatcher's is among them.
    """
    assert dispatcher.server is not None, "the dispatcher's log is read on a local dev server"
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for line in dispatcher.server.log_path.read_text(errors="replace").splitlines():
            start = line.find('{"event":"tenant.log"')
            if start < 0 or marker not in line:
                continue
            raw = line[start : line.rfind("}") + 1]
            found.append({**json.loads(raw), "raw": raw})
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
