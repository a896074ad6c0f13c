"""A noisy neighbour, and what the instance index costs a wrapped create, in real workerd.

    .venv/bin/python bench/noisy.py [--quick]

Our dispatcher under ``wrangler dev`` (offline Python runtime, fresh state), four tenants
running ``bench/tenants/js-bench``, each with the same quota (``creates_per_second`` =
``RATE``, burst ``RATE``):

* alone: the three quiet tenants create at half their quota for ``SECONDS`` (one paced
  client each), and each create's HTTP latency is recorded;
* noisy: the same, while the fourth tenant tries five times its quota (paced clients);
* then every accepted create must reach ``complete`` and appear exactly once in its
  tenant's index (``GET /admin/tenants/<t>/instances``), and nothing refused may appear;
* the index's cost: n wrapped creates in a row timed inside the tenant, with the index and
  quotas on and off (the test-only ``/admin/debug/index/<on|off>`` switch), alternated in
  the same run on a tenant of its own.

Writes ``bench/results/noisy.json``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from servers import ADMIN_TOKEN, our_server, upload_bench_tenants

RESULTS = Path(__file__).resolve().parent / "results"
RATE = 4  # creates per second (and burst) of every tenant
QUIET = ["quiet-0", "quiet-1", "quiet-2"]
NOISY = "noisy"
FINAL = {"complete", "errored", "terminated"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(q * len(ordered)))]) if ordered else 0.0


def paced(url: str, tenant: str, per_second: float, seconds: float, out: dict[str, Any]) -> None:
    """Creates at ``per_second`` for ``seconds``; accepted ids, refusals and latencies."""
    with httpx.Client(base_url=url, timeout=60) as client:
        start = time.monotonic()
        n = 0
        while (due := start + n / per_second) < start + seconds:
            time.sleep(max(0.0, due - time.monotonic()))
            began = time.monotonic()
            response = client.post(f"/t/{tenant}/create", json={"params": {"steps": 1}})
            out["latency_ms"].append((time.monotonic() - began) * 1000)
            if response.status_code == 200:
                out["accepted"].append(response.json()["id"])
            elif response.status_code == 502:
                # js-bench does not catch: its QuotaExceededError becomes the dispatcher's
                # "tenant failed to answer" (tests/e2e/test_quotas.py checks the name itself).
                out["refused"] += 1
            else:
                out["errors"].append(response.text[:200])
            n += 1


def phase(url: str, seconds: float, noisy: bool) -> dict[str, dict[str, Any]]:
    tenants = [*QUIET, NOISY] if noisy else QUIET
    outs = {t: {"accepted": [], "refused": 0, "errors": [], "latency_ms": []} for t in tenants}
    threads = [
        threading.Thread(target=paced, args=(url, t, RATE / 2, seconds, outs[t])) for t in QUIET
    ]
    if noisy:  # five times the quota, from two clients
        threads += [
            threading.Thread(target=paced, args=(url, NOISY, RATE * 5 / 2, seconds, outs[NOISY]))
            for _ in range(2)
        ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outs


def listed(admin: httpx.Client, tenant: str) -> list[str]:
    ids: list[str] = []
    query: dict[str, Any] = {"limit": 100}
    while True:
        page = admin.get(f"/admin/tenants/{tenant}/instances", params=query).json()
        ids += [item["id"] for item in page["instances"]]
        if not page["nextCursor"]:
            return ids
        query["cursor"] = page["nextCursor"]


def settle_all(
    client: httpx.Client, accepted: dict[str, list[str]], timeout: float
) -> dict[str, int]:
    """Poll every accepted instance until final; how many ended in each status."""
    pending = {(t, i) for t, ids in accepted.items() for i in ids}
    ended: dict[str, int] = {}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for tenant, instance_id in sorted(pending):
            status = client.get(f"/t/{tenant}/status", params={"id": instance_id}).json()["status"]
            if status in FINAL:
                ended[status] = ended.get(status, 0) + 1
                pending.discard((tenant, instance_id))
        time.sleep(0.5)
    ended["not final"] = len(pending)
    return ended


def index_cost(client: httpx.Client, admin: httpx.Client, rounds: int, n: int) -> dict[str, Any]:
    per_create: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(rounds):
        for state in ("on", "off"):
            admin.post(f"/admin/debug/index/{state}").raise_for_status()
            response = client.post("/t/cost/creates", json={"n": n, "params": {"steps": 1}})
            response.raise_for_status()
            per_create[state].append(response.json()["ms"] / n)
    admin.post("/admin/debug/index/on").raise_for_status()
    on, off = statistics.median(per_create["on"]), statistics.median(per_create["off"])
    return {"with_index_ms": on, "without_index_ms": off, "samples": per_create, "n": n}


def summarise(outs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    quiet = [ms for t in QUIET for ms in outs[t]["latency_ms"]]
    result = {
        "quiet_attempts": sum(len(outs[t]["latency_ms"]) for t in QUIET),
        "quiet_accepted": sum(len(outs[t]["accepted"]) for t in QUIET),
        "quiet_p50_ms": percentile(quiet, 0.5),
        "quiet_p95_ms": percentile(quiet, 0.95),
        "errors": [e for o in outs.values() for e in o["errors"]],
    }
    if NOISY in outs:
        result["noisy_attempts"] = len(outs[NOISY]["latency_ms"])
        result["noisy_accepted"] = len(outs[NOISY]["accepted"])
        result["noisy_refused"] = outs[NOISY]["refused"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter phases, fewer rounds")
    args = parser.parse_args()
    seconds, rounds = (5.0, 3) if args.quick else (10.0, 5)
    results: dict[str, Any] = {"rate": RATE, "seconds": seconds}
    with tempfile.TemporaryDirectory(prefix="dw-noisy-") as tmp:
        server = our_server(Path(tmp)).start()
        try:
            upload_bench_tenants(server, {t: "js-bench" for t in [*QUIET, NOISY, "cost"]})
            headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
            with (
                httpx.Client(base_url=server.url, timeout=120) as client,
                httpx.Client(base_url=server.url, headers=headers, timeout=120) as admin,
            ):
                for tenant in [*QUIET, NOISY]:
                    quota = {"creates_per_second": RATE, "burst": RATE}
                    admin.put(f"/admin/tenants/{tenant}/quota", json=quota).raise_for_status()
                warm = {}
                for tenant in QUIET:  # warm every isolate before timing
                    response = client.post(f"/t/{tenant}/create", json={"params": {"steps": 1}})
                    warm[tenant] = [response.json()["id"]]
                time.sleep(1.5)
                alone = phase(server.url, seconds, noisy=False)
                time.sleep(1.5)  # buckets full again
                noisy = phase(server.url, seconds, noisy=True)
                accepted: dict[str, list[str]] = {t: warm.get(t, []) for t in [*QUIET, NOISY]}
                for outs in (alone, noisy):
                    for tenant, out in outs.items():
                        accepted[tenant] += out["accepted"]
                results["alone"] = summarise(alone)
                results["noisy"] = summarise(noisy)
                results["ended"] = settle_all(client, accepted, timeout=180)
                check = {}
                for tenant, ids in accepted.items():
                    in_index = listed(admin, tenant)
                    check[tenant] = {
                        "accepted": len(ids),
                        "listed": len(in_index),
                        "duplicates": len(in_index) - len(set(in_index)),
                        "missing": len(set(ids) - set(in_index)),
                        "extra": len(set(in_index) - set(ids)),
                    }
                results["index_check"] = check
                results["index_cost"] = index_cost(client, admin, rounds, n=20)
        finally:
            server.stop()
    print_table(results)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "noisy.json").write_text(json.dumps(results, indent=2) + "\n")


def print_table(results: dict[str, Any]) -> None:
    alone, noisy = results["alone"], results["noisy"]
    print(
        f"\nnoisy neighbour: every tenant {results['rate']}/s, burst {results['rate']}; "
        f"3 quiet tenants at half that, {results['seconds']:.0f} s per phase"
    )
    print(f"{'':<36}{'alone':>14}{'with noisy':>14}")
    print(
        f"{'quiet creates accepted':<36}{alone['quiet_accepted']:>8}/{alone['quiet_attempts']:<5}"
        f"{noisy['quiet_accepted']:>8}/{noisy['quiet_attempts']:<5}"
    )
    print(
        f"{'quiet create latency p50 (HTTP)':<36}"
        f"{alone['quiet_p50_ms']:>11.1f} ms{noisy['quiet_p50_ms']:>11.1f} ms"
    )
    print(
        f"{'quiet create latency p95 (HTTP)':<36}"
        f"{alone['quiet_p95_ms']:>11.1f} ms{noisy['quiet_p95_ms']:>11.1f} ms"
    )
    print(
        f"noisy tenant at 5x: {noisy['noisy_accepted']} accepted, {noisy['noisy_refused']} refused "
        f"(QuotaExceededError) of {noisy['noisy_attempts']}"
    )
    print(f"accepted instances ended: {results['ended']}")
    for tenant, check in results["index_check"].items():
        print(f"  {tenant}: {check}")
    cost = results["index_cost"]
    print(
        f"wrapped create in the tenant, {cost['n']} in a row: {cost['with_index_ms']:.1f} ms with "
        f"the index, {cost['without_index_ms']:.1f} ms without (medians)"
    )


if __name__ == "__main__":
    main()
