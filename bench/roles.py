"""Where a create's dispatcher time goes: the isolate's busy time per context, ours only.

    .venv/bin/python bench/roles.py [--samples N] [--kib K]

One create at a time (tiny params, or about ``K`` KiB) through a JavaScript benchmark
tenant (then a ``get``), under ``workerd serve --async-trace`` as in ``rpc_hops.py``. A
create touches four dispatcher contexts, told apart by the order of their first turns: the
routed request (``fetch``), the wrapped binding's ``create`` (RPC), the tenant's index (its
Durable Object) and the run the engine starts; a ``get`` the first two, measured also right
after another ``get`` (the dispatcher then still trusts the tenant's pointer and routes
without reading it). The tails of the tenant's invocations (``dispatcher/tail.py``) are
summed apart, as ``tails``. Prints the median and minimum of each over ``N`` samples and writes
``bench/results/roles.json``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx
from rpc_hops import RESULTS, Trace, find_trace, params_of, wait_quiet
from servers import DISPATCHERS, OUR_NAME

ROLES = {
    "create": ("fetch", "binding", "index", "run"),
    "get": ("fetch", "binding"),
    # Right after another get: the dispatcher still trusts the tenant's pointer (1 s).
    "get, pointer cached": ("fetch", "binding"),
}


def one(
    trace: Trace, client: httpx.Client, op: str, roles: tuple[str, ...], warm: str, params: Any
) -> dict[str, float]:
    """The dispatcher's busy time per context of one ``op``, by role ({} if they differ)."""
    wait_quiet(trace, quiet=1.0)
    if op == "get, pointer cached":
        client.get("/get", params={"id": warm}).raise_for_status()
        wait_quiet(trace, quiet=0.2)
    trace.read_new()
    if op == "create":
        client.post("/create", json={"params": params}).raise_for_status()
    else:
        client.get("/get", params={"id": warm}).raise_for_status()
    wait_quiet(trace, quiet=1.0)
    spent: dict[int, float] = {}
    first: dict[int, int] = {}
    for event in trace.read_new():
        if event["e"] == "turn" and trace.role(event["ctx"], OUR_NAME) == "dispatcher":
            first.setdefault(event["ctx"], event["locked"])
            spent[event["ctx"]] = (
                spent.get(event["ctx"], 0.0) + (event["end"] - event["locked"]) / 1e6
            )
    # The tenant workers' tails (dispatcher/tail.py) run in contexts of their own, after
    # the invocations they follow: counted together, apart from the roles.
    tails = [ctx for ctx in first if trace.entry.get(ctx) == "trace"]
    contexts = sorted((ctx for ctx in first if ctx not in tails), key=first.__getitem__)
    if len(contexts) != len(roles):
        print(f"skipped a {op}: {len(contexts)} contexts")
        return {}
    found = {role: spent[ctx] for role, ctx in zip(roles, contexts, strict=True)}
    if tails:
        found["tails"] = sum(spent[ctx] for ctx in tails)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=12)
    parser.add_argument("--kib", type=int, default=0, help="params of about this size")
    args = parser.parse_args()
    params = params_of(args.kib) if args.kib else {"steps": 1}
    [dispatcher] = [d for d in DISPATCHERS if d.label == "python, JS tenant"]
    busy: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="dw-roles-") as tmp:
        work = Path(tmp)
        [tenant] = dispatcher.tenants(1)
        with dispatcher.server(work, extra_env={"DW_ASYNC_TRACE": str(work / "trace")}) as server:
            dispatcher.prepare(server, [tenant])
            with httpx.Client(base_url=f"{server.url}/t/{tenant}", timeout=120) as client:
                warm = client.post("/create", json={"params": {"steps": 1}}).json()["id"]
                client.get("/status", params={"id": warm}).raise_for_status()
                trace = find_trace(work / "trace", OUR_NAME)
                for _ in range(args.samples):
                    for op, roles in ROLES.items():
                        for role, ms in one(trace, client, op, roles, warm, params).items():
                            busy.setdefault(f"{op}: {role}", []).append(ms)
    print("\nDispatcher isolate busy per context, ms (tracing on)")
    summary = {}
    for key, values in busy.items():
        summary[key] = {"median_ms": statistics.median(values), "min_ms": min(values)}
        print(
            f"  {key:<28} median {statistics.median(values):6.2f}  min {min(values):6.2f}  "
            f"(n={len(values)})"
        )
    RESULTS.mkdir(exist_ok=True)
    name = f"roles-{args.kib}kib.json" if args.kib else "roles.json"
    (RESULTS / name).write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
