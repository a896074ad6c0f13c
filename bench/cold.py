"""Cold start in real workerd: the dev server, and the first create through a fresh tenant.

    .venv/bin/python bench/cold.py [--samples N] [--snapshot on|off|both]

Starts our dispatcher under ``wrangler dev`` on the offline Python runtime (a fresh state
directory each time), then uploads tenants nobody has loaded yet and times, over HTTP, the
upload and the first request each one serves: a create through ``bench/tenants/py-bench``
(the Python benchmark tenant, which imports the SDK and ``dynamic_workflows.tenant``), a
request to a minimal Python tenant (the SDK's entrypoint classes and ``Response``, nothing
else), and a create through the JavaScript twin ``js-bench``. Each sample is a new tenant
id, so a new isolate; kinds are interleaved so that load drifts hit them alike.

Uploading is where a tenant's isolate starts: the dispatcher proves new code loads by
calling into the isolate its traffic will use, so each kind is timed as the upload, then
the first request, and both.

``--snapshot``: with the development runtime's baseline memory snapshot (what the tests and
``make dev`` run, ``tools/offline_runtime/snapshot.py``), without it
(``DW_PYTHON_SNAPSHOT=0``), or both (the default), one server after the other. A kind whose
upload or request fails is reported with its error instead of a time.

Writes ``bench/results/cold.json``. Figures are printed, never asserted; the machine's load
average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from servers import ADMIN_TOKEN, TENANTS, group_rss_kib, our_server

from tools.tenant_code import upload_body

RESULTS = Path(__file__).resolve().parent / "results"

MINIMAL_PYTHON = """from workers import Response, WorkerEntrypoint, WorkflowEntrypoint


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        return None


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response("hello")
"""

#: kind -> (upload body, path of the first request, JSON body or None for a GET)
KINDS: dict[str, tuple[dict[str, Any], str, Any]] = {
    "python tenant, first create": (
        upload_body(TENANTS / "py-bench"),
        "create",
        {"params": {"steps": 1}},
    ),
    "minimal python tenant, first request": (
        {"mainModule": "main.py", "modules": {"main.py": MINIMAL_PYTHON}},
        "hello",
        None,
    ),
    "js tenant, first create": (upload_body(TENANTS / "js-bench"), "create", {"params": {}}),
}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def one_server(work: Path, samples: int, snapshot: bool) -> dict[str, Any]:
    extra_env = {"DW_PYTHON_SNAPSHOT": "1" if snapshot else "0"}
    server = our_server(work, extra_env=extra_env)
    result: dict[str, Any] = {"load_before": load_average()}
    with server:
        assert server.started_in is not None
        result["start_s"] = server.started_in
        failures: dict[str, str] = {}
        times: dict[str, list[float]] = {
            f"{kind}: {part}": [] for kind in KINDS for part in ("upload", "then", "both")
        }
        headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
            for sample in range(samples):
                for index, (kind, (body, route, payload)) in enumerate(KINDS.items()):
                    tenant = f"cold{index}-{sample}"
                    began = time.perf_counter()
                    uploaded_response = client.put(f"/admin/tenants/{tenant}", json=body)
                    uploaded = time.perf_counter()
                    if uploaded_response.status_code != 201:
                        failures[kind] = f"upload: {uploaded_response.text[:300]}"
                        continue
                    if payload is None:
                        response = client.get(f"/t/{tenant}/{route}")
                    else:
                        response = client.post(f"/t/{tenant}/{route}", json=payload)
                    done = time.perf_counter()
                    if response.status_code != 200:
                        failures[kind] = f"{route}: {response.text[:300]}"
                        continue
                    times[f"{kind}: upload"].append((uploaded - began) * 1000)
                    times[f"{kind}: then"].append((done - uploaded) * 1000)
                    times[f"{kind}: both"].append((done - began) * 1000)
        result["first_request_ms"] = times
        result["failures"] = failures
        result["rss_mib"] = group_rss_kib(server) / 1024
    result["load_after"] = load_average()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=5, help="fresh tenants of each kind")
    parser.add_argument("--snapshot", choices=("on", "off", "both"), default="both")
    args = parser.parse_args()
    modes = {"on": [True], "off": [False], "both": [False, True]}[args.snapshot]
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="dw-cold-") as tmp:
        for snapshot in modes:
            label = "with snapshot" if snapshot else "without snapshot"
            results[label] = one_server(Path(tmp) / label.replace(" ", "-"), args.samples, snapshot)
    print("\nCold start, offline runtime (HTTP round trips, ms unless noted)")
    for label, result in results.items():
        print(f"\n{label}: load average {result['load_before']} -> {result['load_after']}")
        print(f"  {'dev server start (s)':<52} {result['start_s']:8.2f}")
        for kind, error in result["failures"].items():
            print(f"  {kind:<52} failed ({error})")
        for kind, values in result["first_request_ms"].items():
            if not values:
                continue
            rest = values[1:] or values
            print(
                f"  {kind:<52} {statistics.median(rest):8.0f}  (first {values[0]:.0f}; "
                f"all {', '.join(f'{v:.0f}' for v in values)})"
            )
        print(f"  {'memory after (MiB)':<52} {result['rss_mib']:8.0f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cold.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
