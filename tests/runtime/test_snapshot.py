"""The development runtime's baseline memory snapshot: saved by workerd, loaded unless told not.

Every Python worker of the other tiers starts from it; ``DW_PYTHON_SNAPSHOT=0`` turns it
off (see tools/offline_runtime/README.md), and the last test here runs a Python tenant so.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, create, wait_for
from tools.offline_runtime import snapshot
from tools.offline_runtime.build_bundle import BUNDLE_DIR, BUNDLE_NAME, ensure_bundle
from tools.offline_runtime.devserver import WRAPPER, DevServer
from tools.offline_runtime.pins import ROOT
from tools.tenant_code import TENANTS_DIR, upload, upload_body


def test_workerd_saves_a_baseline_snapshot_of_the_development_bundle(tmp_path: Path) -> None:
    saved = snapshot.save(ensure_bundle(), tmp_path)
    with saved.open("rb") as file:
        assert int.from_bytes(file.read(4), "little") == snapshot.SNAPSHOT_MAGIC
    assert saved.stat().st_size > 10_000_000  # the Pyodide heap
    # Not a dedicated one: that holds the throw-away worker's main module (see snapshot.py).
    assert snapshot.snapshot_type(saved) == "baseline"


def _wrapper_args(bundle: Path, **env: str) -> str:
    """The command line the wrapper execs for ``serve --version`` (from bash's trace)."""
    environment = {k: v for k, v in os.environ.items() if k != "DW_PYTHON_SNAPSHOT"}
    environment.update(env, DW_PYODIDE_BUNDLE_DIR=str(bundle))
    done = subprocess.run(
        ["bash", "-x", str(WRAPPER), "serve", "--version"],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
        timeout=60,
    )
    [line] = [line for line in done.stderr.splitlines() if line.startswith("+ exec ")]
    return line


@pytest.fixture
def bundle_with_snapshot(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    (bundle / "snapshot").mkdir(parents=True)
    inputs = BUNDLE_NAME + ".inputs"
    (bundle / inputs).write_text((ensure_bundle() / inputs).read_text())
    (bundle / "snapshot" / snapshot.SNAPSHOT_NAME).write_bytes(b"stand-in")
    stamp = snapshot.stamp(BUNDLE_DIR)
    (bundle / "snapshot" / (snapshot.SNAPSHOT_NAME + ".inputs")).write_text(stamp)
    return bundle


def test_the_wrapper_loads_the_snapshot_unless_told_not_to(bundle_with_snapshot: Path) -> None:
    for args in (
        _wrapper_args(bundle_with_snapshot),
        _wrapper_args(bundle_with_snapshot, DW_PYTHON_SNAPSHOT="1"),
    ):
        assert f"--python-snapshot-dir={bundle_with_snapshot / 'snapshot'}" in args
        assert "--python-load-snapshot=snapshot.bin" in args
    assert "--python-load-snapshot" not in _wrapper_args(
        bundle_with_snapshot, DW_PYTHON_SNAPSHOT="0"
    )


def test_the_wrapper_ignores_a_snapshot_of_another_bundle(bundle_with_snapshot: Path) -> None:
    (bundle_with_snapshot / (BUNDLE_NAME + ".inputs")).write_text("another bundle")
    assert "--python-load-snapshot" not in _wrapper_args(
        bundle_with_snapshot, DW_PYTHON_SNAPSHOT="1"
    )


def test_the_wrapper_ignores_a_snapshot_not_stamped_as_baseline(bundle_with_snapshot: Path) -> None:
    # Earlier stamps had no type: their snapshots were dedicated ones, which no other
    # worker can start from.
    stamp_file = bundle_with_snapshot / "snapshot" / (snapshot.SNAPSHOT_NAME + ".inputs")
    stamp_file.write_text(stamp_file.read_text().replace(" type=baseline", "", 1))
    assert "--python-load-snapshot" not in _wrapper_args(
        bundle_with_snapshot, DW_PYTHON_SNAPSHOT="1"
    )


@pytest.mark.workerd
def test_a_python_tenant_runs_without_the_snapshot(tmp_path: Path) -> None:
    """The path of DW_PYTHON_SNAPSHOT=0 (and of a bundle without a saved snapshot)."""
    with DevServer(
        ROOT,
        persist_dir=tmp_path / "state",
        variables={"ADMIN_TOKEN": ADMIN_TOKEN},
        extra_env={"DW_PYTHON_SNAPSHOT": "0"},
    ) as server:
        assert "no memory snapshot" in server.mode
        headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=120) as admin:
            upload(admin, "py-orders", upload_body(TENANTS_DIR / "py-orders"))
        with httpx.Client(base_url=server.url, timeout=60) as client:
            instance_id = create(client, "py-orders", params={})
            assert wait_for(client, "py-orders", instance_id)["status"] == "complete"
