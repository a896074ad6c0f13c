"""End to end in real workerd: our Python dispatcher against the JavaScript reference, same run.

    .venv/bin/python bench/e2e.py [--quick]

Both dispatchers run under ``wrangler dev`` on the same workerd (ours on the offline Python
runtime), one after the other, with the same benchmark tenant (``bench/tenants/js-bench``;
ours also with its Python twin ``py-bench``). Measured:

* cold start: spawning ``wrangler dev`` until the dispatcher answers, then the first create
  through a tenant nobody has loaded yet (HTTP round trip), and resident memory of the
  process group once warm and after the load below;
* wrapped over raw create: n creates in a row timed inside the worker, through the tenant's
  wrapped binding and on the dispatcher's own binding;
* create-to-complete of a one-step workflow, timed inside the tenant (create, then status until
  final), and the same seen over HTTP;
* creates per second: several tenants at once, from threads posting over HTTP.

Writes ``bench/results/e2e.json``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from servers import DISPATCHERS, Dispatcher, group_rss_kib

RESULTS = Path(__file__).resolve().parent / "results"


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))])


def post(client: httpx.Client, path: str, body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    response.raise_for_status()
    return dict(response.json())


def cold_start(dispatcher: Dispatcher, work: Path, runs: int) -> dict[str, Any]:
    starts, first_creates, rss = [], [], []
    for run in range(runs):
        with dispatcher.server(work / f"cold-{run}") as server:
            assert server.started_in is not None
            starts.append(server.started_in)
            [tenant] = dispatcher.tenants(1, prefix="cold")
            dispatcher.prepare(server, [tenant])
            with httpx.Client(base_url=server.url, timeout=120) as client:
                began = time.perf_counter()
                post(client, f"/t/{tenant}/create", {"params": {"steps": 1}})
                first_creates.append((time.perf_counter() - began) * 1000)
            time.sleep(2)  # the run it started has finished
            rss.append(group_rss_kib(server) / 1024)
    return {
        "start_s": median(starts),
        "start_s_all": starts,
        "first_create_ms": median(first_creates),
        "first_create_ms_all": first_creates,
        "rss_warm_mib": median(rss),
    }


def wrapped_vs_raw(
    dispatcher: Dispatcher, client: httpx.Client, tenant: str, rounds: int, n: int
) -> dict[str, Any]:
    wrapped, raw = [], []
    for _ in range(rounds):
        wrapped.append(
            post(client, f"/t/{tenant}/creates", {"n": n, "params": {"steps": 1}})["ms"] / n
        )
        raw.append(dispatcher.raw_creates(client, n))
    return {
        "wrapped_ms": median(wrapped),
        "raw_ms": median(raw),
        "ratio": median(wrapped) / median(raw),
        "rounds": rounds,
        "creates_per_round": n,
    }


def create_to_complete(client: httpx.Client, tenant: str, samples: int) -> dict[str, Any]:
    inside, outside = [], []
    for _ in range(samples):
        began = time.perf_counter()
        result = post(client, f"/t/{tenant}/create-to-complete", {"steps": 1})
        outside.append((time.perf_counter() - began) * 1000)
        if result["status"] != "complete":
            raise RuntimeError(f"{tenant}: a one-step run ended {result}")
        inside.append(float(result["ms"]))
    return {
        "inside_median_ms": median(inside),
        "inside_p90_ms": p90(inside),
        "http_median_ms": median(outside),
        "samples": samples,
    }


def throughput(url: str, tenants: list[str], threads: int, seconds: float) -> dict[str, Any]:
    done: list[int] = []
    errors: list[str] = []
    stop_at = time.monotonic() + seconds

    def worker(index: int) -> None:
        tenant = tenants[index % len(tenants)]
        count = 0
        with httpx.Client(base_url=url, timeout=60) as client:
            while time.monotonic() < stop_at:
                response = client.post(f"/t/{tenant}/create", json={"params": {"steps": 1}})
                if response.status_code == 200:
                    count += 1
                else:
                    errors.append(response.text[:200])
        done.append(count)

    began = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - began
    return {
        "creates_per_s": sum(done) / elapsed,
        "creates": sum(done),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "tenants": len(tenants),
        "threads": threads,
        "seconds": elapsed,
    }


def measure(dispatcher: Dispatcher, work: Path, quick: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"cold": cold_start(dispatcher, work, 1 if quick else 3)}
    tenants = dispatcher.tenants(4)
    with dispatcher.server(work / "warm") as server:
        dispatcher.prepare(server, tenants)
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for tenant in tenants:  # every tenant loaded once
                post(client, f"/t/{tenant}/create", {"params": {"steps": 1}})
            result["wrapped_vs_raw"] = wrapped_vs_raw(
                dispatcher, client, tenants[0], 3 if quick else 7, 20
            )
            result["create_to_complete"] = create_to_complete(
                client, tenants[0], 10 if quick else 30
            )
        result["throughput"] = throughput(server.url, tenants, 8, 3.0 if quick else 8.0)
        time.sleep(2)
        result["rss_after_load_mib"] = group_rss_kib(server) / 1024
    return result


def print_table(results: dict[str, Any]) -> None:
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("cold start (s)", lambda r: f"{r['cold']['start_s']:.2f}"),
        (
            "first create after its upload (isolate warm) (ms)",
            lambda r: f"{r['cold']['first_create_ms']:.0f}",
        ),
        ("wrapped create (ms)", lambda r: f"{r['wrapped_vs_raw']['wrapped_ms']:.2f}"),
        ("raw create (ms)", lambda r: f"{r['wrapped_vs_raw']['raw_ms']:.2f}"),
        ("wrapped / raw", lambda r: f"{r['wrapped_vs_raw']['ratio']:.2f}x"),
        (
            "1-step create-to-complete (ms)",
            lambda r: "{:.0f} (p90 {:.0f})".format(
                r["create_to_complete"]["inside_median_ms"],
                r["create_to_complete"]["inside_p90_ms"],
            ),
        ),
        ("  same over HTTP (ms)", lambda r: f"{r['create_to_complete']['http_median_ms']:.0f}"),
        (
            "creates/s, 4 tenants",
            lambda r: "{:.0f}{}".format(
                r["throughput"]["creates_per_s"],
                f" ({r['throughput']['errors']} errors)" if r["throughput"]["errors"] else "",
            ),
        ),
        ("memory warm (MiB)", lambda r: f"{r['cold']['rss_warm_mib']:.0f}"),
        ("memory after load (MiB)", lambda r: f"{r['rss_after_load_mib']:.0f}"),
    ]
    print("\nEnd to end in real workerd (offline runtime), same machine, same run")
    print(f"{'':<32}" + "".join(f"{label:>24}" for label in results))
    for name, cell in rows:
        print(f"{name:<32}" + "".join(f"{cell(r):>24}" for r in results.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples, one cold start")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="dw-e2e-") as tmp:
        for index, dispatcher in enumerate(DISPATCHERS):
            results[dispatcher.label] = measure(dispatcher, Path(tmp) / str(index), args.quick)
    print_table(results)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "e2e.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
