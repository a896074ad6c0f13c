"""What the bounded upload check costs an upload: with the probe process and without it.

    .venv/bin/python bench/upload_probe.py [--samples N]

Starts our dispatcher twice on the offline runtime (a fresh state directory each time):
once as the tests and ``make dev`` run it, with the upload check's probe process
(``DevServer(upload_probe=True)``: each upload loads first in a workerd process of its own,
then in the dev server), once without it (a deployed dispatcher's path: one load, in the
dev server). Each sample uploads a fresh JavaScript and a fresh Python benchmark tenant
(``bench/tenants``), interleaved, and times the upload over HTTP. The first Python upload of
a probe process also measures the probe's baselines (an empty tenant loaded twice), so it is
reported apart. Also: the probe process's resident memory after the uploads.

Writes ``bench/results/upload_probe.json``. Figures are printed, never asserted; the machine's
load average is printed with them.
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
from servers import ADMIN_TOKEN, TENANTS, our_server

from tools.tenant_code import upload_body

RESULTS = Path(__file__).resolve().parent / "results"
KINDS = {"js": upload_body(TENANTS / "js-bench"), "python": upload_body(TENANTS / "py-bench")}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def probe_rss_mib(pid: int | None) -> float | None:
    if pid is None:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def one_server(work: Path, samples: int, probe: bool) -> dict[str, Any]:
    server = our_server(work, upload_probe=probe)
    result: dict[str, Any] = {"load_before": load_average()}
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with server:
        headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=300) as admin:
            for sample in range(samples):
                for kind, body in KINDS.items():
                    began = time.perf_counter()
                    response = admin.put(f"/admin/tenants/up-{kind}-{sample}", json=body)
                    elapsed = (time.perf_counter() - began) * 1000
                    if response.status_code != 201:
                        raise SystemExit(f"{kind} upload failed: {response.text[:300]}")
                    times[kind].append(elapsed)
        if server.probe is not None:
            result["probe_rss_mib"] = probe_rss_mib(server.probe.process_pid)
            result["probe_stats"] = vars(server.probe.stats)
    result["upload_ms"] = times
    result["load_after"] = load_average()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=6, help="fresh tenants of each kind")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="dw-upload-probe-") as tmp:
        for probe in (False, True):
            label = "with the probe process" if probe else "without it"
            results[label] = one_server(Path(tmp) / f"probe-{probe}", args.samples, probe)
    print("\nUpload of a fresh tenant, offline runtime (HTTP round trip, ms)")
    for label, result in results.items():
        print(f"\n{label}: load average {result['load_before']} -> {result['load_after']}")
        for kind, values in result["upload_ms"].items():
            rest = values[1:] or values
            print(
                f"  {kind:<8} median {statistics.median(rest):7.0f}  (first {values[0]:.0f}; "
                f"all {', '.join(f'{v:.0f}' for v in values)})"
            )
        if "probe_rss_mib" in result:
            print(f"  probe process: {result['probe_rss_mib']:.0f} MiB resident after the uploads")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "upload_probe.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
