"""dwctl against the session's dispatcher in real workerd: every command, and its errors for a
wrong token and a refused upload. (``make dev`` and the tests upload through the same code.)"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import Dwctl
from tests.conftest import ROOT, Dispatcher, create, wait_for
from tools.tenant_code import TENANTS_DIR

pytestmark = pytest.mark.workerd


def tagged_folder(tmp_path: Path, tag: str) -> Path:
    """The js-orders example as a folder, its CODE_TAG set to ``tag``."""
    folder = tmp_path / tag
    folder.mkdir()
    source = (TENANTS_DIR / "js-orders" / "index.js").read_text()
    (folder / "index.js").write_text(source.replace("CODE_TAG = 'v1'", f"CODE_TAG = '{tag}'"))
    return folder


def test_upload_from_a_folder_makes_it_current(dwctl: Dwctl, admin: httpx.Client) -> None:
    code, out, err = dwctl("upload", "cli-upload", str(TENANTS_DIR / "py-orders"))
    assert code == 0, err
    version = admin.get("/admin/tenants/cli-upload").json()["version"]
    assert out.strip() == (
        f"cli-upload: version {version} is current (1 modules from {TENANTS_DIR / 'py-orders'})"
    )


def test_upload_prints_json_with_the_flag(dwctl: Dwctl) -> None:
    code, out, _ = dwctl("--json", "upload", "cli-json", str(TENANTS_DIR / "js-orders"))
    assert code == 0
    assert json.loads(out)["tenant"] == "cli-json"


def test_a_refused_upload_prints_the_dispatchers_reason(dwctl: Dwctl, tmp_path: Path) -> None:
    (tmp_path / "index.js").write_text("export default {\n")
    code, out, err = dwctl("upload", "cli-broken", str(tmp_path))
    assert code == 1
    assert out == ""
    assert err.startswith(
        "dwctl upload: upload of tenant 'cli-broken' refused: the code does not load: "
    )
    assert "SyntaxError" in err


def test_an_upload_naming_a_flag_its_date_enables_is_refused_naming_both(
    dwctl: Dwctl,
) -> None:
    code, _, err = dwctl(
        "upload", "cli-flags", str(TENANTS_DIR / "js-orders"), "--flag", "nodejs_compat"
    )
    assert code == 1
    assert "nodejs_compat (the default from 2026-08-04)" in err


def test_a_wrong_token_says_the_token_was_refused(
    dwctl: Dwctl, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DW_ADMIN_TOKEN", "not-the-token")
    code, _, err = dwctl("tenants")
    assert code == 1
    assert "refused the token (401): DW_ADMIN_TOKEN must equal the dispatcher's ADMIN_TOKEN" in err


def test_tenants_lists_uploaded_tenants(dwctl: Dwctl) -> None:
    dwctl("upload", "cli-listed", str(TENANTS_DIR / "js-orders"))
    code, out, _ = dwctl("tenants")
    assert code == 0
    assert {"cli-listed", "js-orders", "py-orders"} <= set(out.split())


def test_versions_and_rollback_by_prefix(
    dwctl: Dwctl, client: httpx.Client, tmp_path: Path
) -> None:
    assert dwctl("upload", "cli-roll", str(tagged_folder(tmp_path, "v1")))[0] == 0
    assert dwctl("upload", "cli-roll", str(tagged_folder(tmp_path, "v2")))[0] == 0
    code, out, _ = dwctl("--json", "versions", "cli-roll")
    info = json.loads(out)
    first, second = (entry["version"] for entry in info["history"])
    assert info["version"] == second
    code, out, _ = dwctl("versions", "cli-roll")
    assert f"{second}  <- current" in out
    code, out, err = dwctl("rollback", "cli-roll", first[:8])
    assert code == 0, err
    assert out.strip() == f"cli-roll: version {first} is current (was {second})"
    instance_id = create(client, "cli-roll", params={})
    assert wait_for(client, "cli-roll", instance_id)["output"]["codeTag"] == "v1"


def test_rollback_to_an_unknown_version_lists_the_versions(dwctl: Dwctl) -> None:
    dwctl("upload", "cli-roll-none", str(TENANTS_DIR / "js-orders"))
    code, _, err = dwctl("rollback", "cli-roll-none", "ffff")
    assert code == 1
    assert "no version of tenant 'cli-roll-none' start with 'ffff'; its versions: " in err


def test_quota_shows_and_sets(dwctl: Dwctl) -> None:
    dwctl("upload", "cli-quota", str(TENANTS_DIR / "js-orders"))
    code, out, _ = dwctl("quota", "cli-quota", "--burst", "7", "--creates-per-second", "2.5")
    assert code == 0
    assert json.loads(out)["quota"] == {
        "creates_per_second": 2.5,
        "burst": 7,
        "max_unfinished": json.loads(out)["quota"]["max_unfinished"],
    }
    code, out, _ = dwctl("quota", "cli-quota")
    assert json.loads(out)["quota"]["burst"] == 7


def test_a_refused_quota_prints_the_dispatchers_reason(dwctl: Dwctl) -> None:
    dwctl("upload", "cli-quota-bad", str(TENANTS_DIR / "js-orders"))
    code, _, err = dwctl("quota", "cli-quota-bad", "--burst", "0")
    assert code == 1
    assert "burst" in err


def test_instances_and_instance(dwctl: Dwctl, client: httpx.Client) -> None:
    dwctl("upload", "cli-runs", str(TENANTS_DIR / "js-orders"))
    instance_id = create(client, "cli-runs", id="cli-run-1", params={"who": "cli"})
    wait_for(client, "cli-runs", instance_id)
    code, out, _ = dwctl("instances", "cli-runs", "--all")
    assert code == 0
    assert "complete" in out and "cli-run-1" in out
    code, out, _ = dwctl("instance", "cli-runs", "cli-run-1")
    assert json.loads(out)["status"] == "complete"
    code, _, err = dwctl("instance", "cli-runs", "nope")
    assert code == 1
    assert "instance.not_found" in err


def test_delete_removes_the_tenant(dwctl: Dwctl) -> None:
    dwctl("upload", "cli-gone", str(TENANTS_DIR / "js-orders"))
    code, out, _ = dwctl("delete", "cli-gone", "--yes")
    assert code == 0
    assert out.startswith("cli-gone: deleted 1 versions")
    assert "cli-gone" not in dwctl("tenants")[1].split()


def test_the_installed_console_script_runs(dispatcher: Dispatcher) -> None:
    env = {**os.environ, "DW_URL": dispatcher.url, "DW_ADMIN_TOKEN": dispatcher.token}
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "dwctl"), "tenants"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "js-orders" in result.stdout.split()


def test_status_prints_what_runs(dwctl: Dwctl) -> None:
    code, out, _ = dwctl("status")
    assert code == 0
    answer = json.loads(out)
    assert answer["library"]["name"] == "dynamic-workflows"
    assert answer["allDetailsInUse"] is True


def test_health_passes_when_every_shard_is_bound_and_every_detail_in_use(dwctl: Dwctl) -> None:
    code, out, _ = dwctl("health", "--dev")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("ok    http://127.0.0.1:")
    assert "ok    shard WORKFLOWS_0 is bound" in lines
    assert "ok    dispatcher-routing-module in use" in lines
    assert not [line for line in lines if not line.startswith("ok ")]


def test_health_fails_naming_each_dev_only_switch_that_is_on(
    dwctl: Dwctl, admin: httpx.Client
) -> None:
    """The suite's dispatcher serves the debug routes and probes uploads in a process of
    its own: a deployed one must do neither."""
    switches = admin.get("/admin/status").json()["devOnly"]
    assert switches["debugRoutes"] and switches["uploadProbe"], switches
    code, out, _ = dwctl("health")
    assert code == 1, out
    assert "FAIL  dev-only debugRoutes is on: the test-only /admin/debug routes" in out
    failed = {line.split()[2] for line in out.splitlines() if line.startswith("FAIL  dev-only")}
    assert failed == {name for name, on in switches.items() if on}, out


def test_health_fails_naming_a_detail_that_fell_back(dwctl: Dwctl, admin: httpx.Client) -> None:
    detail = "dispatcher-routing-module"
    admin.post(f"/admin/debug/fallback/{detail}", json={"reason": "gone"}).raise_for_status()
    try:
        code, out, _ = dwctl("health", "--dev")
    finally:
        admin.post(f"/admin/debug/fallback/{detail}", json={"reason": None}).raise_for_status()
    assert code == 1
    assert f"FAIL  {detail} not in use (gone): the same reads and forwarding from Python" in out
