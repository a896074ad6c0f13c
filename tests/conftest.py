"""One dispatcher per test session, in real workerd (or a deployed one by URL).

``DW_BASE_URL`` (with ``DW_ADMIN_TOKEN``) points the runtime and end-to-end
tests at a deployed dispatcher; otherwise a local dev server is started on a
free loopback port with a fresh state directory: the official Python runtime
where workerd can download it, the offline development runtime otherwise.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tools.tenant_code import TENANTS_DIR, upload, upload_body

ROOT = Path(__file__).resolve().parent.parent
ADMIN_TOKEN = "test-admin-token"
#: Test tenants, uploaded under their directory names: probes and the hostile tier's attackers.
PROBE_DIRS = (ROOT / "tests" / "runtime" / "tenants", ROOT / "tests" / "hostile" / "tenants")
#: Each example tenant, and a rival running the same code under another tenant id.
TENANTS = {
    "js-orders": "js-orders",
    "py-orders": "py-orders",
    "js-rival": "js-orders",
    "py-rival": "py-orders",
}
KINDS = ["js-orders", "py-orders"]
RIVAL = {"js-orders": "js-rival", "py-orders": "py-rival"}
FINAL = {"complete", "errored", "terminated"}
_RUNTIME_MODE: list[str] = []


@dataclass
class Dispatcher:
    url: str
    token: str
    mode: str
    server: Any = None  # the local DevServer, None for a deployed dispatcher

    def client(self, *, admin: bool = False, timeout: float = 60.0) -> httpx.Client:
        headers = {"authorization": f"Bearer {self.token}"} if admin else {}
        transport = RetryOnDisconnect() if self.server is not None else None
        return httpx.Client(
            base_url=self.url, headers=headers, timeout=timeout, transport=transport
        )


#: What the local dev server answers when workerd drops its connection to the worker.
DISCONNECTED = b"Network connection lost."


class RetryOnDisconnect(httpx.HTTPTransport):
    """Send a request once more when the local dev server lost its connection to the worker.

    Now and then (3 of about 12 full runs here, a different request each time, not
    reproduced in isolation) local workerd drops the connection to the dispatcher's isolate
    mid-request and the dev server answers 500 with its own ``Error: Network connection
    lost.`` (workerd marks disconnections retryable). The second answer is the one tested; a
    request that is dropped twice fails as before. Each retry is printed (pytest shows it
    with ``-s`` or on a failure).
    """

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if response.status_code != 500:
            return response
        body = response.read()
        if DISCONNECTED not in body or b"entry.worker.js" not in body:
            return response
        print(f"\nretrying once after a dev-server disconnect: {request.method} {request.url}")
        RETRIED.append(f"{request.method} {request.url.path}")
        return super().handle_request(request)


#: Every request RetryOnDisconnect sent again, counted at the end of the run: how often the
#: local dev server drops a connection stays visible, not only when a second drop fails.
RETRIED: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def no_compatibility_flag_warnings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fails the session (an error at its last teardown) when any dev server it started (the
    dispatcher, examples/minimal, pywrangler dev, the smoke suite's, ``make dev`` run by a
    test: every log in this process's list or under the session's temporary directory)
    logged a compatibility-flag report.

    Set up before, so torn down after, every other fixture: all servers have stopped. (A
    tenant's flags never reach the log: Worker Loader drops such warnings, so the library's
    loader refuses them itself, core.flags.dynamic_worker_flags.)
    """
    yield
    from tools.offline_runtime.flag_reports import started_flag_reports  # noqa: PLC0415

    logs, found = started_flag_reports(tmp_path_factory.getbasetemp())
    _FLAG_SCAN.append(f"compatibility-flag warnings: {len(found)} in {logs} dev-server logs")
    assert not found, "compatibility-flag warnings in dev-server logs:\n" + "\n".join(found)


_FLAG_SCAN: list[str] = []
#: Lines for the end of the test report (figures a test measured, e.g. bundle sizes).
REPORT: list[str] = []


@pytest.fixture(scope="session")
def dispatcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dispatcher]:
    base_url = os.environ.get("DW_BASE_URL")
    if base_url:
        _RUNTIME_MODE.append(f"deployed dispatcher at {base_url}")
        yield Dispatcher(base_url, os.environ["DW_ADMIN_TOKEN"], "deployed")
        return
    from tools.offline_runtime.devserver import DevServer  # noqa: PLC0415 - local runs only

    state = tmp_path_factory.mktemp("wrangler-state")
    with DevServer(
        ROOT,
        persist_dir=state,
        debug_routes=True,
        variables={"ADMIN_TOKEN": ADMIN_TOKEN},
        upload_probe=True,  # as `make dev` runs it
        wake_stalled=True,
    ) as server:
        _RUNTIME_MODE.append(server.mode)
        dispatcher = Dispatcher(server.url, ADMIN_TOKEN, server.mode, server)
        with dispatcher.client(admin=True) as admin:
            for tenant, directory in TENANTS.items():
                upload(admin, tenant, upload_body(TENANTS_DIR / directory))
            for probes in PROBE_DIRS:
                for probe in sorted(p for p in probes.iterdir() if p.is_dir()):
                    upload(admin, probe.name, upload_body(probe))
        yield dispatcher


@pytest.fixture(scope="session")
def admin(dispatcher: Dispatcher) -> Iterator[httpx.Client]:
    with dispatcher.client(admin=True) as client:
        yield client


@pytest.fixture(scope="session")
def client(dispatcher: Dispatcher) -> Iterator[httpx.Client]:
    with dispatcher.client() as client:
        yield client


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _RUNTIME_MODE:
        terminalreporter.write_line(f"Python Workers runtime: {_RUNTIME_MODE[0]}")
    for line in [*REPORT, *_FLAG_SCAN]:
        terminalreporter.write_line(line)
    if _RUNTIME_MODE:
        sent_again = f": {', '.join(RETRIED[:5])}" if RETRIED else ""
        terminalreporter.write_line(
            f"requests sent again after a dev-server disconnect: {len(RETRIED)}{sent_again}"
        )


def create(client: httpx.Client, tenant: str, **options: Any) -> str:
    response = client.post(f"/t/{tenant}/workflows", json=options)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def status(client: httpx.Client, tenant: str, instance_id: str) -> dict[str, Any]:
    response = client.get(f"/t/{tenant}/workflows/{instance_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def wait_for(
    client: httpx.Client,
    tenant: str,
    instance_id: str,
    states: set[str] = FINAL,
    timeout: float = 60.0,
) -> dict[str, Any]:
    """Poll an instance, through its tenant, until its status is one of ``states``."""
    return poll_status(client, f"/t/{tenant}/workflows/{instance_id}", states, timeout)


def poll_status(
    client: httpx.Client, path: str, states: set[str] = FINAL, timeout: float = 60.0
) -> dict[str, Any]:
    """GET ``path`` (a status route) until the status it reports is one of ``states``."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(path)
        assert response.status_code == 200, response.text
        current = dict(response.json())
        if current["status"] in states:
            return current
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} still {current} after {timeout}s")
        time.sleep(0.2)


def wait_until_waiting_for_event(
    client: httpx.Client, tenant: str, instance_id: str, steps_before: int = 2
) -> dict[str, Any]:
    """Poll until an instance waits for its event (after ``steps_before`` steps).

    The production engine reports ``waiting``; the local engine stays ``running``
    and lists the outputs of the finished steps in ``__LOCAL_DEV_STEP_OUTPUTS``.
    """
    deadline = time.monotonic() + 60.0
    while True:
        current = status(client, tenant, instance_id)
        done = current.get("__LOCAL_DEV_STEP_OUTPUTS") or []
        if current["status"] == "waiting" or (
            current["status"] == "running" and len(done) >= steps_before
        ):
            return current
        if current["status"] in FINAL or time.monotonic() > deadline:
            raise AssertionError(f"{tenant}/{instance_id} is not waiting for an event: {current}")
        time.sleep(0.2)


def engine_error(dispatcher: Dispatcher, error: dict[str, str], name: str) -> str:
    """The message of the error the engine recorded for a run that failed with ``name``.

    The shape is checked exactly. The local engine runs at miniflare's 2024-10-22 without
    enhanced error serialization, so workerd folds the name into the message, as for the
    JavaScript reference: ``{"name": "Error", "message": "<name>: <message>"}``
    (tests/platform/test_error_serialization.py). Only a deployed engine may keep the name.
    """
    if dispatcher.server is None and error.get("name") == name:
        return error["message"]
    assert error.get("name") == "Error", error
    assert error.get("message", "").startswith(f"{name}: "), error
    return error["message"].removeprefix(f"{name}: ")


def act(
    client: httpx.Client, tenant: str, instance_id: str, action: str, body: Any = None
) -> httpx.Response:
    kwargs = {} if body is None else {"json": body}
    return client.post(f"/t/{tenant}/workflows/{instance_id}/{action}", **kwargs)
