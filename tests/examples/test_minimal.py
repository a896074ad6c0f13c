"""examples/minimal, set up as another project would be and served by ``pywrangler dev``.

The module's one dev server runs a copy of the example made by the offline runtime's own
recipe (tools/offline_runtime/README.md): the example's files, ``tools/offline_runtime``
and the npm pins copied in, ``python3 tools/offline_runtime/setup.py`` with the system's
npm and Node (it runs ``npm ci`` under the pinned Node, and vendors the library from the
wheel ``uv build`` makes, as its pyproject says), then
``pywrangler dev`` run as after ``. tools/offline_runtime/activate``.
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from tests.conftest import REPORT
from tools.dry_run import dry_run
from tools.offline_runtime.devserver import DevServer, choose_runtime
from tools.offline_runtime.pins import NODE
from tools.wheel import build_wheel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "minimal"
TENANTS = ["js", "py"]
pytestmark = pytest.mark.workerd


def recipe_project(base: Path) -> Path:
    """The example as its own project, laid out as in the repository (the wheel in ../../dist)."""
    build_wheel(base / "dist")
    project = base / "examples" / "minimal"
    junk = shutil.ignore_patterns("python_modules", ".venv-workers", ".wrangler", "__pycache__")
    shutil.copytree(EXAMPLE, project, ignore=junk, symlinks=True)  # the link to library.mjs
    tools = Path("tools") / "offline_runtime"
    shutil.copytree(ROOT / tools, project / tools, ignore=junk)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(ROOT / name, project / name)
    setup = [sys.executable, "tools/offline_runtime/setup.py"]
    if choose_runtime() == "official":
        setup.append("--official")  # pywrangler dev then syncs for real
    # As on a fresh machine: the system's npm and Node first on PATH (setup runs npm ci
    # under the pinned Node, which it fetches first), none of this repository's.
    path = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not p.startswith(str(ROOT))
    )
    done = subprocess.run(
        setup,
        cwd=project,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    SETUP_OUTPUT[project] = output
    return project


#: What the set-up printed, by project (a test reads it).
SETUP_OUTPUT: dict[Path, str] = {}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return recipe_project(tmp_path_factory.mktemp("recipe"))


@pytest.fixture(scope="module")
def server(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    tools = project / "tools" / "offline_runtime"
    # As after `. tools/offline_runtime/activate` in the copy: its npx shim, Node and wrapper.
    offline = {
        "PATH": os.pathsep.join([str(tools / "bin"), str(NODE.parent), os.environ["PATH"]]),
        "MINIFLARE_WORKERD_PATH": str(tools / "workerd"),
    }
    with DevServer(
        project,
        persist_dir=tmp_path_factory.mktemp("example-state"),
        launcher=[str(ROOT / ".venv" / "bin" / "pywrangler")],
        extra_env=offline if choose_runtime() == "offline" else {},
    ) as server:
        yield server


@pytest.fixture(scope="module")
def client(server: DevServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def test_the_set_up_installs_the_npm_pins_without_a_warning(project: Path) -> None:
    """No EBADENGINE (npm runs under the pinned Node, not the system's older one) and no
    unreviewed install scripts (package.json's allowScripts denies the two it skips)."""
    output = SETUP_OUTPUT[project]
    assert "-> npm ci (under the pinned Node)" in output
    assert "EBADENGINE" not in output
    assert "npm warn" not in output, output
    assert (project / "node_modules" / "wrangler" / "package.json").is_file()
    assert not (project / ".cache" / "node-22.23.3").exists()  # the bootstrap Node is gone


def test_the_library_comes_from_the_wheel_vendored_into_python_modules(project: Path) -> None:
    vendored = project / "python_modules"
    assert (vendored / "dynamic_workflows" / "py.typed").is_file()
    assert (vendored / "dynamic_workflows" / "runtime" / "loader.py").is_file()
    assert (vendored / "workers" / "__init__.py").is_file()
    assert not (project / "src" / "dynamic_workflows").exists()


def test_the_librarys_javascript_module_is_linked_from_the_vendored_library(
    project: Path,
) -> None:
    link = project / "src" / "dynamic_workflows.mjs"
    assert link.is_symlink()
    vendored = project / "python_modules" / "dynamic_workflows" / "runtime" / "library.mjs"
    assert link.resolve() == vendored.resolve()


def test_pywrangler_found_nothing_to_sync(server: DevServer) -> None:
    log = server.log_tail(400)
    assert "Passing command to npx wrangler: npx --yes wrangler dev" in " ".join(log.split())
    assert "Installing packages" not in log and "uv venv" not in log
    assert "Ignoring duplicate module" not in log and "does not have a fallback" not in log


@pytest.mark.parametrize("tenant", TENANTS)
def test_a_create_through_each_tenant_completes(client: httpx.Client, tenant: str) -> None:
    created = client.post(f"/t/{tenant}/", json={"who": f"{tenant}-bob"})
    assert created.status_code == 200, created.text
    instance_id = created.json()["id"]
    deadline = time.monotonic() + 60
    while True:
        status = client.get(f"/t/{tenant}/{instance_id}")
        assert status.status_code == 200, status.text
        if status.json()["status"] in {"complete", "errored", "terminated"}:
            break
        assert time.monotonic() < deadline, status.json()
        time.sleep(0.2)
    assert status.json()["status"] == "complete", status.json()
    assert status.json()["output"] == {"greeting": f"Hello, {tenant}-bob!"}


def test_the_example_runs_on_the_librarys_javascript_module(
    client: httpx.Client, server: DevServer
) -> None:
    """The binding has no path without the module (it would refuse every create); and no
    private detail the library relies on fell back here (each would have logged a line)."""
    created = client.post("/t/js/", json={"who": "fast"})
    assert created.status_code == 200, created.text
    log = server.log_tail(100_000)
    assert "dynamic_workflows.fallback" not in log
    assert "cannot import dynamic_workflows.mjs" not in log


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"reached")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server the tenants try to reach, and the paths it was asked for."""
    seen: list[str] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/probe"
        assert httpx.get(url).text == "reached"  # reachable from here
        seen.clear()
        yield url, seen
        httpd.shutdown()


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_tenants_outbound_fetch_is_refused(
    client: httpx.Client, tenant: str, listener: tuple[str, list[str]]
) -> None:
    url, seen = listener
    answer = client.get(f"/t/{tenant}/outbound", params={"url": url})
    assert answer.status_code == 200, answer.text
    assert answer.json()["outbound"] == "refused", answer.json()
    assert "not permitted to access the internet" in answer.json()["error"]
    assert seen == []


def test_an_unknown_tenant_is_not_found(client: httpx.Client) -> None:
    assert client.get("/t/nobody/").status_code == 404
    assert client.get("/elsewhere").status_code == 404


def test_the_dry_run_bundles_the_example_with_the_vendored_library_and_no_cli(
    project: Path, tmp_path: Path
) -> None:
    """What `uv run pywrangler deploy` would upload (docs/deploy.md), dry-run offline."""
    bundle = dry_run(project, tmp_path / "bundle")
    REPORT.append(
        f"examples/minimal bundle (wrangler deploy --dry-run): {bundle.total_kib:.2f} KiB, "
        f"gzip {bundle.gzip_kib:.2f} KiB"
    )
    modules = bundle.modules()
    for module in (
        "worker.py",
        "tenants/js/index.js",
        "tenants/py/main.py",
        "python_modules/dynamic_workflows/__init__.py",
        "python_modules/dynamic_workflows/runtime/loader.py",
        "python_modules/workers/__init__.py",
    ):
        assert module in modules, module
    for part in ("dwctl", "httpx", "dispatcher/"):
        assert not [m for m in modules if part in m], part
    assert "env.WORKFLOWS (DynamicWorkflow)" in bundle.output
    assert "env.LOADER" in bundle.output
