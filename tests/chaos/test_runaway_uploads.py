"""Runaway uploads: refused with a 400 that says why, while other tenants stay served."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.chaos.conftest import CHAOS_TENANT, Chaos, fresh_name, record

pytestmark = pytest.mark.workerd

_JS_HEAD = (
    "import { WorkflowEntrypoint } from 'cloudflare:workers';\n"
    "export class TenantWorkflow extends WorkflowEntrypoint {}\n"
    "export default { fetch() { return new Response('loaded'); } };\n"
)
_PY_HEAD = (
    "from workers import WorkflowEntrypoint, WorkerEntrypoint, Response\n\n\n"
    "class TenantWorkflow(WorkflowEntrypoint):\n    pass\n\n\n"
    "class Default(WorkerEntrypoint):\n"
    "    async def fetch(self, request):\n        return Response('loaded')\n\n\n"
)


def js(top_level: str) -> dict[str, object]:
    return {"mainModule": "index.js", "modules": {"index.js": _JS_HEAD + top_level}}


def py(top_level: str) -> dict[str, object]:
    return {"mainModule": "main.py", "modules": {"main.py": _PY_HEAD + top_level}}


#: name -> (upload, what the refusal must say)
RUNAWAYS = {
    "js-endless-loop": (js("for (;;) {}"), "CPU"),
    "js-3s-loop": (js("let x = 0; for (let i = 0; i < 6e9; i++) x += i % 3;"), "CPU"),
    "js-unbounded-buffers": (
        js("const a = []; for (;;) a.push(new Uint8Array(1e8).fill(1));"),
        "memory",
    ),
    "js-unbounded-heap": (js("const a = []; for (;;) a.push(new Array(1e6).fill(1));"), "memory"),
    "py-endless-loop": (py("while True:\n    pass\n"), "CPU"),
    "py-unbounded-memory": (
        py("held = []\nwhile True:\n    held.append(bytearray(10**7))\n"),
        "memory",
    ),
}


@dataclass
class Bystander:
    """Another tenant's traffic, sent in a loop while the runaway uploads run."""

    tenant: str
    answers: list[tuple[float, int]] = field(default_factory=list)  # (finished at, status)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, chaos: Chaos) -> None:
        with chaos.client() as client:
            n = 0
            while not self.stop.is_set():
                response = client.post(f"/t/{self.tenant}/workflows", json={"id": f"b-{n}"})
                self.answers.append((time.monotonic(), response.status_code))
                n += 1
                time.sleep(0.05)

    def during(self, began: float, ended: float) -> list[int]:
        return [status for at, status in self.answers if began <= at <= ended]


@pytest.fixture(scope="module")
def bystander(chaos: Chaos) -> Iterator[Bystander]:
    tenant = fresh_name("bystander")
    with chaos.admin() as admin:
        assert admin.put(f"/admin/tenants/{tenant}", json=CHAOS_TENANT).status_code == 201
    traffic = Bystander(tenant)
    thread = threading.Thread(target=traffic.run, args=(chaos,), daemon=True)
    thread.start()
    yield traffic
    traffic.stop.set()
    thread.join(timeout=60)


@pytest.mark.parametrize("case", list(RUNAWAYS))
def test_a_runaway_upload_is_refused_while_other_tenants_are_served(
    chaos: Chaos, bystander: Bystander, case: str
) -> None:
    body, says = RUNAWAYS[case]
    tenant = fresh_name(case)
    with chaos.admin() as admin:
        began = time.monotonic()
        response = admin.put(f"/admin/tenants/{tenant}", json=body)
        ended = time.monotonic()
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error.startswith("the code does not load: ") and says in error, error
        assert "\n" not in error
        assert admin.get(f"/admin/tenants/{tenant}").status_code == 404  # nothing stored
    served = bystander.during(began, ended)
    assert served and set(served) == {200}, f"{tenant}'s upload stalled other tenants: {served}"
    record(
        f"runaway upload {case}",
        status=response.status_code,
        upload_s=round(ended - began, 2),
        other_requests_served_meanwhile=len(served),
        failed_meanwhile=sum(1 for status in served if status != 200),
        reason=error.removeprefix("the code does not load: ")[:60] + "...",
    )


def test_after_the_runaway_uploads_the_dispatcher_serves_and_checks_uploads(
    chaos: Chaos, bystander: Bystander
) -> None:
    with chaos.admin() as admin:
        good = fresh_name("good-after")
        assert admin.put(f"/admin/tenants/{good}", json=CHAOS_TENANT).status_code == 201
        stats = httpx.get(chaos.server.probe.url.replace("/probe", "/stats")).json()
    with chaos.client() as client:
        assert client.post(f"/t/{good}/workflows", json={"id": "one"}).status_code == 200
        assert (
            client.post(f"/t/{bystander.tenant}/workflows", json={"id": "after"}).status_code == 200
        )
    assert sum(stats["refused"].values()) >= len(RUNAWAYS), stats
    record("probe process", **stats)


def test_an_upload_is_503_while_the_probe_process_cannot_answer(chaos: Chaos) -> None:
    probe = chaos.server.probe
    probe.stop()
    try:
        with chaos.admin() as admin:
            response = admin.put(f"/admin/tenants/{fresh_name('unchecked')}", json=CHAOS_TENANT)
    finally:
        probe.start()
    assert response.status_code == 503, response.text
    assert "probe process" in response.json()["error"]
