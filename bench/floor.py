"""The floor under the dispatcher's routing: an empty Python fetch, in the same workerd.

    .venv/bin/python bench/floor.py [--samples N]

Serves ``bench/floor/worker.py`` (an empty ``fetch`` on the dispatcher's raw path: the
library's ``RpcSurface``, no conversions) under ``wrangler dev`` with the offline runtime and
an async trace, as ``rpc_hops.py`` serves the dispatcher, and prints the isolate's busy time
per request: what any request into a Python entrypoint costs before a line of routing runs.
Writes ``bench/results/floor.json``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path

import httpx
from rpc_hops import RESULTS, find_trace, wait_quiet
from servers import BENCH, ROOT

from tools.offline_runtime.devserver import DevServer

NAME = "floor"


def app(work: Path) -> Path:
    """The floor worker as a project: its config, its module, the library and the SDK."""
    root = work / "floor"
    (root / "src").mkdir(parents=True)
    shutil.copy(BENCH / "floor" / "wrangler.jsonc", root / "wrangler.jsonc")
    shutil.copy(BENCH / "floor" / "worker.py", root / "src" / "worker.py")
    shutil.copytree(
        ROOT / "src" / "dynamic_workflows",
        root / "src" / "dynamic_workflows",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (root / "python_modules").symlink_to(ROOT / "python_modules")
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=12)
    args = parser.parse_args()
    busy: list[float] = []
    with tempfile.TemporaryDirectory(prefix="dw-floor-") as tmp:
        work = Path(tmp)
        env = {"DW_ASYNC_TRACE": str(work / "trace")}
        with (
            DevServer(app(work), persist_dir=work / "state", extra_env=env) as server,
            httpx.Client(base_url=server.url, timeout=60) as client,
        ):
            client.get("/").raise_for_status()
            trace = find_trace(work / "trace", NAME)
            for _ in range(args.samples):
                wait_quiet(trace, quiet=1.0)
                trace.read_new()
                client.get("/").raise_for_status()
                wait_quiet(trace, quiet=1.0)
                busy.append(
                    sum(
                        (event["end"] - event["locked"]) / 1e6
                        for event in trace.read_new()
                        if event["e"] == "turn"
                        and trace.worker.get(event["ctx"]) == f"core:user:{NAME}"
                    )
                )
    result = {"median_ms": statistics.median(busy), "min_ms": min(busy), "samples": len(busy)}
    print(
        f"\nAn empty Python fetch (raw path), isolate busy per request: median "
        f"{result['median_ms']:.2f} ms, min {result['min_ms']:.2f} ms (n={len(busy)})"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "floor.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
