"""The two dispatchers the end-to-end benchmarks compare, started the same way in real workerd.

* ours: ``src/dispatcher`` under ``wrangler dev`` on the offline Python runtime
  (``tools/offline_runtime``), with the benchmark tenants uploaded;
* the reference: ``bench/anchor`` (the JavaScript reference's example with the same benchmark
  tenant) in a temporary directory, on the same wrangler and workerd from ``node_modules``.

Both run workerd through ``tools/offline_runtime/workerd``, which writes an async trace per
workerd process when ``DW_ASYNC_TRACE`` names a file.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.offline_runtime.devserver import DevServer  # noqa: E402
from tools.tenant_code import upload, upload_body  # noqa: E402

BENCH = ROOT / "bench"
TENANTS = BENCH / "tenants"
ADMIN_TOKEN = "bench-admin-token"
#: The worker names the trace gives each dispatcher's contexts (``core:user:<name>``).
OUR_NAME = "dynamic-workflows-dispatcher"
REFERENCE_NAME = "disp"


class ReferenceServer(DevServer):
    """The JavaScript reference dispatcher: a JS worker, so none of the Python dev flags."""

    def __init__(self, workdir: Path, *, extra_env: dict[str, str] | None = None) -> None:
        app = workdir / "anchor"
        if app.exists():
            shutil.rmtree(app)
        (app / "src").mkdir(parents=True)
        shutil.copy(BENCH / "anchor" / "wrangler.jsonc", app / "wrangler.jsonc")
        shutil.copy(BENCH / "anchor" / "index.js", app / "src" / "index.js")
        shutil.copy(TENANTS / "js-bench" / "index.js", app / "src" / "tenant.txt")
        # The same wrangler, workerd and @cloudflare/dynamic-workflows 0.1.1 as ours (pinned).
        (app / "node_modules").symlink_to(ROOT / "node_modules")
        # A JavaScript worker: no Pyodide memory snapshot to restore.
        extra_env = {"DW_PYTHON_SNAPSHOT": "0", **(extra_env or {})}
        super().__init__(
            app, persist_dir=workdir / "reference-state", runtime="offline", extra_env=extra_env
        )

    def command(self) -> list[str]:
        return [arg for arg in super().command() if not arg.startswith("--compatibility-flags")]


def our_server(
    workdir: Path, *, extra_env: dict[str, str] | None = None, upload_probe: bool = False
) -> DevServer:
    return DevServer(
        ROOT,
        persist_dir=workdir / "python-state",
        runtime="offline",
        debug_routes=True,
        variables={"ADMIN_TOKEN": ADMIN_TOKEN},
        extra_env=extra_env,
        upload_probe=upload_probe,
    )


def upload_bench_tenants(server: DevServer, names: dict[str, str]) -> None:
    """Upload tenants to our dispatcher: ``{tenant id: bench/tenants/<directory>}``."""
    headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as admin:
        for tenant, directory in names.items():
            upload(admin, tenant, upload_body(TENANTS / directory))


def group_rss_kib(server: DevServer) -> int:
    """Resident memory of the dev server's whole process group (wrangler and workerd)."""
    assert server.process is not None
    pgid = server.process.pid
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
    return total


class Dispatcher:
    """One side of a comparison: how to start it, reach its tenants and its unwrapped binding."""

    def __init__(self, label: str, python: bool, tenant_kind: str) -> None:
        self.label, self.python, self.tenant_kind = label, python, tenant_kind

    @property
    def worker_name(self) -> str:
        """The name its contexts carry in workerd's async trace (``core:user:<name>``)."""
        return OUR_NAME if self.python else REFERENCE_NAME

    def server(self, work: Path, *, extra_env: dict[str, str] | None = None) -> DevServer:
        return (
            our_server(work, extra_env=extra_env)
            if self.python
            else ReferenceServer(work, extra_env=extra_env)
        )

    def tenants(self, count: int, prefix: str = "t") -> list[str]:
        return [f"{self.tenant_kind}-{prefix}{i}" for i in range(count)]

    def prepare(self, server: DevServer, tenants: list[str]) -> None:
        if self.python:  # ours serves uploaded code; the reference's tenant code is built in
            upload_bench_tenants(server, {t: self.tenant_kind for t in tenants})

    def raw_creates(self, client: httpx.Client, n: int) -> float:
        """Milliseconds per create of n creates on the unwrapped binding, timed in the worker."""
        if self.python:
            response = client.post(
                "/admin/debug/raw-creates",
                json={"n": n, "params": {"steps": 1}},
                headers={"authorization": f"Bearer {ADMIN_TOKEN}"},
            )
        else:
            response = client.post("/raw-create", json={"n": n, "params": {"steps": 1}})
        response.raise_for_status()
        return float(response.json()["ms"]) / n


#: The reference with the JS benchmark tenant; ours with the same tenant and its Python twin.
DISPATCHERS = [
    Dispatcher("reference, JS tenant", python=False, tenant_kind="acme"),
    Dispatcher("python, JS tenant", python=True, tenant_kind="js-bench"),
    Dispatcher("python, Python tenant", python=True, tenant_kind="py-bench"),
]
