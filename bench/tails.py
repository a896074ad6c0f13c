"""What the per-tenant logs cost: the dispatcher's busy time with and without the tails.

    .venv/bin/python bench/tails.py [--samples N]

Every tenant worker carries the dispatcher's Tail Worker (``dispatcher/tail.py``), a
Python entrypoint that workerd calls after each invocation of the tenant's code. Under
``workerd serve --async-trace`` (as ``rpc_hops.py``), this measures the dispatcher
isolate's busy time (the sum of its turns, every context) per routed request (a ``get``
through the tenant: the routed fetch, the binding, and the tails of the tenant's
invocation) and per run (the run and its tail), with the tails on and off (the test-only
switch ``/admin/debug/tails/off``: tenant workers loaded then carry none; each variant
has its own isolate, warmed up first), alternated sample by sample. Two tenants: one that
prints nothing (``js-bench``) and one that prints a line per request and per run
(``js-chatty``: each line is also a write to its log store, the index object, which the
tail batches over ``LOG_LIMITS.batch_ms``): one request at a time (each after the isolate
went quiet), and ``--burst`` requests in a row (the busy time of all of them, per request;
medians of 3 bursts). Prints medians and writes ``bench/results/tails.json``. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx
from rpc_hops import RESULTS, Trace, find_trace, wait_quiet
from servers import ADMIN_TOKEN, OUR_NAME, our_server, upload_bench_tenants

TENANTS = {"quiet": "js-bench", "chatty": "js-chatty"}


def busy(trace: Trace, events: list[dict[str, Any]]) -> dict[str, float]:
    """The dispatcher's busy time in ms, by phase (request, run)."""
    spent: dict[str, float] = {"request": 0.0, "run": 0.0}
    for event in events:
        if event["e"] == "turn" and trace.role(event["ctx"], OUR_NAME) == "dispatcher":
            phase = trace.phase(event["ctx"], OUR_NAME)
            spent[phase] += (event["end"] - event["locked"]) / 1e6
    return spent


def sample(trace: Trace, client: httpx.Client, op: str, warm: str) -> dict[str, float]:
    wait_quiet(trace, quiet=1.0)
    trace.read_new()
    if op == "get":
        client.get("/get", params={"id": warm}).raise_for_status()
    else:
        client.post("/create", json={"params": {"steps": 1}}).raise_for_status()
    wait_quiet(trace, quiet=1.0)
    return busy(trace, trace.read_new())


def burst(trace: Trace, client: httpx.Client, warm: str, n: int) -> float:
    """The dispatcher's busy time per request of ``n`` routed requests in a row, in ms."""
    wait_quiet(trace, quiet=1.0)
    trace.read_new()
    for _ in range(n):
        client.get("/get", params={"id": warm}).raise_for_status()
    wait_quiet(trace, quiet=1.0)
    spent = busy(trace, trace.read_new())
    return (spent["request"] + spent["run"]) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=12)
    parser.add_argument("--burst", type=int, default=20, help="routed requests in a row")
    args = parser.parse_args()
    rows: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="dw-tails-") as tmp:
        work = Path(tmp)
        prefix = work / "trace"
        with our_server(work, extra_env={"DW_ASYNC_TRACE": str(prefix)}) as server:
            upload_bench_tenants(server, {f"{kind}-t0": name for kind, name in TENANTS.items()})
            headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
            admin = httpx.Client(base_url=server.url, headers=headers, timeout=120)
            clients = {
                kind: httpx.Client(base_url=f"{server.url}/t/{kind}-t0", timeout=120)
                for kind in TENANTS
            }
            warm: dict[str, str] = {}
            for switch in ("off", "on"):  # load and warm each tenant's isolate of each variant
                admin.post(f"/admin/debug/tails/{switch}").raise_for_status()
                for kind, client in clients.items():
                    warm[kind] = client.post("/create", json={"params": {"steps": 1}}).json()["id"]
                    client.get("/status", params={"id": warm[kind]}).raise_for_status()
            trace = find_trace(prefix, OUR_NAME)
            for _ in range(args.samples):
                for switch in ("off", "on"):
                    admin.post(f"/admin/debug/tails/{switch}").raise_for_status()
                    for kind, client in clients.items():
                        for op in ("get", "create"):
                            spent = sample(trace, client, op, warm[kind])
                            key = f"{kind} tenant, tails {switch}"
                            if op == "get":
                                rows.setdefault(f"{key}: routed request", []).append(
                                    spent["request"]
                                )
                            else:
                                rows.setdefault(f"{key}: run", []).append(spent["run"])
                                rows.setdefault(f"{key}: create and its run", []).append(
                                    spent["request"] + spent["run"]
                                )
            for _ in range(3):
                for switch in ("off", "on"):
                    admin.post(f"/admin/debug/tails/{switch}").raise_for_status()
                    for kind, client in clients.items():
                        key = f"{kind} tenant, tails {switch}: {args.burst} requests in a row"
                        rows.setdefault(key, []).append(
                            burst(trace, client, warm[kind], args.burst)
                        )
            admin.post("/admin/debug/tails/on").raise_for_status()
    summary = {
        key: {"median_ms": statistics.median(v), "min_ms": min(v), "n": len(v)}
        for key, v in rows.items()
    }
    print("\nDispatcher isolate busy, ms (medians; sum of its turns, tracing on)")
    for kind in TENANTS:
        for what in (
            "routed request",
            f"{args.burst} requests in a row",
            "run",
            "create and its run",
        ):
            off = summary[f"{kind} tenant, tails off: {what}"]["median_ms"]
            on = summary[f"{kind} tenant, tails on: {what}"]["median_ms"]
            print(
                f"  {kind:<6} tenant, {what:<20}  tails off {off:6.2f}  on {on:6.2f}  "
                f"overhead {on - off:+6.2f} ms ({(on - off) / off * 100:+5.0f}%)"
            )
            summary[f"{kind}: {what}: overhead"] = {"ms": on - off, "ratio": (on - off) / off}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "tails.json").write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
