"""RPC calls per operation, counted in real workerd from its async trace, ours and the reference.

    .venv/bin/python bench/rpc_hops.py

Each dispatcher runs under ``wrangler dev`` with ``workerd serve --async-trace`` (added by
``tools/offline_runtime/workerd`` when ``DW_ASYNC_TRACE`` is set). One operation at a time goes
through the benchmark tenant; the trace lines it adds are read once workerd is quiet, and every
operation a dispatcher or tenant context started is counted. A context belongs to the *run* when
the Workflows engine caused it (directly or through another context), else to the request.
``jsRpcCall`` operations are the RPC calls; other I/O (R2, fetch) is listed beside them. The
trace's turns (a callback holding the isolate lock) also give the time the dispatcher's isolate
spent on each operation, as real workerd runs it (tracing on, so slower than without).
Writes ``bench/results/rpc_hops.json``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from servers import DISPATCHERS, Dispatcher

RESULTS = Path(__file__).resolve().parent / "results"
RPC = "jsRpcCall"
#: Bookkeeping that is not a call of its own (a session carries the calls made on one stub).
NOT_IO = {"jsRpcSession"}


@dataclass
class Trace:
    """One workerd process's async trace: who each context is and what caused it."""

    path: Path
    offset: int = 0
    worker: dict[int, str] = field(default_factory=dict)
    cause: dict[int, int] = field(default_factory=dict)
    entry: dict[int, str] = field(default_factory=dict)  # the kind of request a context serves

    def read_new(self) -> list[dict[str, Any]]:
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        events = [json.loads(line) for line in complete.splitlines()]
        for event in events:
            if event["e"] == "ctx":
                self.worker[event["ctx"]] = event["worker"]
            elif event["e"] == "init" and event["kind"] == "request":
                self.entry.setdefault(event["ctx"], event["name"])
            elif event["e"] == "link":
                self.cause.setdefault(event["ctx"], event["fromCtx"])
        return events

    def role(self, ctx: int, dispatcher: str) -> str:
        worker = self.worker.get(ctx, "")
        if worker == f"core:user:{dispatcher}":
            return "dispatcher"
        if worker.startswith("LOADER:"):
            return "tenant"
        if worker.startswith("workflows:"):
            return "engine"
        return "platform"

    def phase(self, ctx: int, dispatcher: str) -> str:
        seen = set()
        while ctx in self.cause and ctx not in seen:
            seen.add(ctx)
            ctx = self.cause[ctx]
            if self.role(ctx, dispatcher) == "engine":
                return "run"
        return "request"


def find_trace(prefix: Path, dispatcher: str) -> Trace:
    """The trace file of the workerd process that runs the dispatcher."""
    marker = f'"worker":"core:user:{dispatcher}"'.encode()
    for path in sorted(prefix.parent.glob(prefix.name + ".*")):
        if marker in path.read_bytes():
            return Trace(path)
    raise RuntimeError(f"no trace under {prefix}.* shows the dispatcher {dispatcher!r}")


def wait_quiet(trace: Trace, quiet: float = 1.5, limit: float = 60.0) -> None:
    """Wait until workerd has written nothing to the trace for ``quiet`` seconds."""
    deadline = time.monotonic() + limit
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = trace.path.stat().st_size
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)
    raise RuntimeError(f"workerd kept writing to {trace.path} for {limit:.0f}s")


def count(events: list[dict[str, Any]], trace: Trace, dispatcher: str) -> dict[str, Any]:
    """Operations started by dispatcher and tenant contexts, by phase and role."""
    counts: dict[str, Counter[str]] = {}
    for event in events:
        if event["e"] != "init" or event["kind"] != "operation" or event["name"] in NOT_IO:
            continue
        role = trace.role(event["ctx"], dispatcher)
        if role not in ("dispatcher", "tenant"):
            continue
        key = f"{trace.phase(event['ctx'], dispatcher)}:{role}"
        counts.setdefault(key, Counter())[event["name"]] += 1
    busy: Counter[str] = Counter()
    for event in events:
        if event["e"] == "turn" and trace.role(event["ctx"], dispatcher) == "dispatcher":
            entry = trace.entry.get(event["ctx"], "?")
            busy[f"{trace.phase(event['ctx'], dispatcher)}:{entry}"] += (
                event["end"] - event["locked"]
            )
    return {
        "operations": {key: dict(sorted(ops.items())) for key, ops in sorted(counts.items())},
        "dispatcher_busy_ms": {phase: ns / 1e6 for phase, ns in sorted(busy.items())},
    }


def rpc_calls(sample: dict[str, Any], phase: str) -> int:
    operations = sample["operations"].items()
    return sum(ops.get(RPC, 0) for key, ops in operations if key.startswith(phase + ":"))


def measure(url: str, prefix: Path, dispatcher: str, tenant: str, repeat: int) -> dict[str, Any]:
    """create (1 and 5 steps, each followed by its run), get, and get + status, ``repeat`` times."""
    rows: dict[str, list[dict[str, Any]]] = {}
    with httpx.Client(base_url=f"{url}/t/{tenant}", timeout=120) as client:
        # Warm up: the tenant loaded, every path taken once.
        warm = client.post("/create", json={"params": {"steps": 1}}).json()["id"]
        client.get("/status", params={"id": warm}).raise_for_status()
        trace = find_trace(prefix, dispatcher)

        def op(name: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
            wait_quiet(trace)
            trace.read_new()
            response = client.request(method, path, **kwargs)
            response.raise_for_status()
            wait_quiet(trace)
            rows.setdefault(name, []).append(count(trace.read_new(), trace, dispatcher))
            return dict(response.json())

        for _ in range(repeat):
            for steps in (1, 5):
                body = {"params": {"steps": steps}}
                instance = op(f"create+run/{steps}", "POST", "/create", json=body)["id"]
                final = client.get("/status", params={"id": instance}).json()
                if final.get("status") != "complete":
                    raise RuntimeError(f"{tenant}: the {steps}-step run ended {final}")
            op("get", "GET", "/get", params={"id": instance})
            op("get+status", "GET", "/status", params={"id": instance})
            for label, kib in SIZES:
                op(f"create {label}", "POST", "/create", json={"params": params_of(kib)})
    return summarise(rows)


#: Params sizes of the create-by-size rows ("create+run/1" is the tiny one).
SIZES = (("64 KiB", 64), ("900 KiB", 900))


def params_of(kib: int) -> dict[str, Any]:
    """A one-step workflow's params of about ``kib`` KiB: records of strings and numbers."""
    items, size, i = [], 0, 0
    while size < kib * 1024:
        item = {"sku": f"sku-{i}", "qty": i % 7, "price": i * 1.25, "name": f"item number {i}"}
        items.append(item)
        size += len(json.dumps(item, separators=(",", ":"))) + 1
        i += 1
    return {"steps": 1, "items": items}


def summarise(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per operation: RPC calls of the request and of the run, the same in every repeat or not."""
    out: dict[str, Any] = {}
    for name, samples in rows.items():
        request = [rpc_calls(s, "request") for s in samples]
        run = [rpc_calls(s, "run") for s in samples]
        out[name] = {
            "request_rpc": max(request),
            "run_rpc": max(run),
            "stable": len(set(request)) == 1 and len(set(run)) == 1,
            "dispatcher_busy_ms": {
                phase: statistics.median(s["dispatcher_busy_ms"].get(phase, 0.0) for s in samples)
                # request:trace: the tails of the tenant's invocations (dispatcher/tail.py)
                for phase in ("request:fetch", "request:jsrpc", "run:jsrpc", "request:trace")
            },
            "operations": samples[0]["operations"],
        }
    return out


def run_one(dispatcher: Dispatcher, work: Path, repeat: int) -> dict[str, Any]:
    prefix = work / "trace"
    [tenant] = dispatcher.tenants(1)
    with dispatcher.server(work, extra_env={"DW_ASYNC_TRACE": str(prefix)}) as server:
        dispatcher.prepare(server, [tenant])
        return measure(server.url, prefix, dispatcher.worker_name, tenant, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--only", default="", help="measure only dispatchers whose label contains this"
    )
    args = parser.parse_args()
    results: dict[str, Any] = {}
    chosen = [d for d in DISPATCHERS if args.only in d.label]
    with tempfile.TemporaryDirectory(prefix="dw-hops-") as tmp:
        for index, dispatcher in enumerate(chosen):
            work = Path(tmp) / str(index)
            work.mkdir()
            results[dispatcher.label] = run_one(dispatcher, work, args.repeat)
    print_table(results)
    RESULTS.mkdir(exist_ok=True)
    name = "rpc_hops.json" if not args.only else "rpc_hops-only.json"  # run.py reads the whole one
    (RESULTS / name).write_text(json.dumps(results, indent=2) + "\n")


def print_table(results: dict[str, Any]) -> None:
    ops = list(next(iter(results.values())))
    print("\nRPC calls per operation (jsRpcCall from dispatcher and tenant contexts, real workerd)")
    print(f"{'operation':<16}" + "".join(f"{label:>26}" for label in results))
    for name in ops:
        cells = []
        for result in results.values():
            row = result[name]
            cell = (
                f"{row['request_rpc']} + run {row['run_rpc']}"
                if "run" in name or name.startswith("create ")
                else str(row["request_rpc"])
            )
            cells.append(cell + ("" if row["stable"] else " (varied)"))
        print(f"{name:<16}" + "".join(f"{cell:>26}" for cell in cells))
    print("\nDispatcher isolate busy per operation, ms (sum of its turns; tracing on):")
    print(
        "HTTP routing to the tenant (fetch) / the wrapped binding (RPC) + the run (RPC)"
        " + the tenant's tails"
    )
    print(f"{'operation':<16}" + "".join(f"{label:>38}" for label in results))
    for name in ops:
        cells = []
        for result in results.values():
            busy = result[name]["dispatcher_busy_ms"]
            cell = f"{busy['request:fetch']:.2f} / {busy['request:jsrpc']:.2f}"
            with_run = "run" in name or name.startswith("create ")
            cell += f" + {busy['run:jsrpc']:.2f}" if with_run else ""
            tails = busy.get("request:trace", 0.0)
            cells.append(cell + (f" + tails {tails:.2f}" if tails else ""))
        # a cell is as wide as its figures need, and two columns never touch
        print(f"{name:<16}" + "".join(f"{cell:>38}" for cell in cells))


if __name__ == "__main__":
    main()
