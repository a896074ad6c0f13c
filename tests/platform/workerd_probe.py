"""Run a tiny worker config in the pinned workerd binary and read what it reports.

``workerd test`` compiles the config (compatibility flags included) and runs the
worker's ``test`` handler, then exits: about 40 ms, no dev server. It prints the
flag warnings workerd's ``compileCompatibilityFlags`` reports, and whatever the
worker logs.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tools.offline_runtime.pins import NPM, ROOT, WORKERD

#: The development Pyodide bundle (make setup builds it): a worker with python_workers loads it.
BUNDLE_DIR = ROOT / ".cache" / "pyodide-bundle"


def workerd_version() -> str:
    """The pinned binary's version, checked against the pins (``workerd 2026-11-17``)."""
    assert NPM["@cloudflare/workerd-linux-64"].startswith("1.")
    return subprocess.run(
        [str(WORKERD), "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()


def newest_date() -> str:
    """The newest compatibility date this binary supports."""
    return workerd_version().split()[-1]


def run_workers(directory: Path, workers: dict[str, dict[str, object]]) -> str:
    """Serve ``workers`` (name -> {"date", "flags", "source", "bindings"}) and run each
    one's ``test`` handler; returns workerd's whole output. The first worker is tested."""
    services = []
    definitions = []
    for n, (name, worker) in enumerate(workers.items()):
        source = directory / f"{name}.js"
        source.write_text(str(worker["source"]))
        flags = ", ".join(json.dumps(flag) for flag in worker.get("flags", []))  # type: ignore[attr-defined]
        bindings = worker.get("bindings", "")
        services.append(f'(name = "{name}", worker = .w{n})')
        definitions.append(
            f"const w{n} :Workerd.Worker = (\n"
            f'  modules = [(name = "{name}.js", esModule = embed "{source.name}")],\n'
            f'  compatibilityDate = "{worker["date"]}",\n'
            f"  compatibilityFlags = [{flags}],\n"
            f"  bindings = [{bindings}],\n"
            ");\n"
        )
    config = directory / "config.capnp"
    config.write_text(
        'using Workerd = import "/workerd/workerd.capnp";\n'
        f"const config :Workerd.Config = ( services = [{', '.join(services)}] );\n"
        + "".join(definitions)
    )
    first = next(iter(workers))
    result = subprocess.run(
        [
            str(WORKERD),
            "test",
            "--experimental",
            f"--pyodide-bundle-disk-cache-dir={BUNDLE_DIR}",
            str(config),
            first,
        ],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def flag_warnings(directory: Path, date: str, flags: list[str]) -> list[str]:
    """The compatibility-flag lines workerd reports for a worker at ``date`` with ``flags``."""
    if "python_workers" in flags:
        # The offline bundle (never downloaded) for a worker with python_workers.
        flags = [*flags, "python_workers_development"]
    source = "export default { async test() {} };\n"
    output = run_workers(directory, {"main": {"date": date, "flags": flags, "source": source}})
    return [line for line in output.splitlines() if "compatibility flag" in line.lower()]
