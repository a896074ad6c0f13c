"""The deployable config: valid for wrangler, and free of the offline runtime's flags."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pyjson5
import pytest

from dynamic_workflows.core.flags import redundant_flags
from tests.conftest import REPORT
from tools.dry_run import DryRun, dry_run
from tools.offline_runtime.flag_reports import flag_reports

ROOT = Path(__file__).resolve().parent.parent
DEPLOY_GUIDE = ROOT / "docs" / "deploy.md"
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


#: The command of docs/deploy.md that makes the first deploy's secrets file.
SECRETS_FILE_COMMAND = re.compile(r"^(python3 -c '.*') > \"\$secrets_file\"$", re.MULTILINE)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> DryRun:
    """The dispatcher as the guide's first ``wrangler deploy`` would upload it (a dry run, no
    account), with the secrets file made by the guide's own command."""
    made_by = SECRETS_FILE_COMMAND.search(DEPLOY_GUIDE.read_text())
    assert made_by is not None, "docs/deploy.md makes no secrets file for the first deploy"
    secrets_file = tmp_path_factory.mktemp("secrets") / "secrets.json"
    made_secrets = subprocess.run(
        ["sh", "-c", made_by.group(1)], capture_output=True, text=True, check=True
    )
    secrets_file.write_text(made_secrets.stdout)
    made = dry_run(ROOT, tmp_path_factory.mktemp("dispatcher-bundle"), secrets_file)
    REPORT.append(
        f"dispatcher bundle (wrangler deploy --dry-run): {made.total_kib:.2f} KiB, "
        f"gzip {made.gzip_kib:.2f} KiB"
    )
    return made


def test_the_dry_run_bundles_the_dispatcher_library_and_sdk(bundle: DryRun) -> None:
    modules = bundle.modules()
    for module in (
        "worker.py",
        "dispatcher/front.py",
        "dispatcher/routing.mjs",
        "dispatcher/console/index.html",
        "dynamic_workflows/__init__.py",
        "dynamic_workflows/runtime/binding.py",
        "python_modules/workers/__init__.py",
        "python_modules/workers/workflows.js",
    ):
        assert module in modules, module
    assert any(m.startswith("dynamic_workflows/runtime/") and m.endswith(".mjs") for m in modules)
    # The SDK's version, which GET /admin/status reports.
    assert any(m.startswith("python_modules/workers_runtime_sdk-") for m in modules)


def test_the_dry_run_bundles_no_operator_tool_test_or_dev_flag(bundle: DryRun) -> None:
    shipped = bundle.modules()
    for part in ("dwctl", "httpx", "tests/", "tools/", "bench/", "node_modules"):
        assert not [m for m in shipped if part in m], part
    assert "python_workers_development" not in bundle.output


def test_the_dry_run_lists_every_binding_the_deploy_creates_or_needs(bundle: DryRun) -> None:
    for line in (
        "env.TENANT_INDEX (TenantIndex)",
        "env.WORKFLOWS_0 (DynamicWorkflow)",
        "env.WORKFLOWS_1 (DynamicWorkflow)",
        "env.TENANT_CODE (dynamic-workflows-tenant-code)",
        "env.LOADER",
        'env.ADMIN_TOKEN ("(hidden)")',  # from the secrets file, as the first deploy sends it
    ):
        assert line in bundle.output, line


def test_the_guides_first_deploy_carries_every_required_secret() -> None:
    """wrangler refuses to create a Worker whose ``secrets.required`` are not set: the first
    deploy must send them (``wrangler secret put`` needs the Worker to exist)."""
    guide = DEPLOY_GUIDE.read_text()
    assert 'uv run pywrangler deploy --secrets-file "$secrets_file"' in guide
    made_by = SECRETS_FILE_COMMAND.search(guide)
    assert made_by is not None
    for name in config()["secrets"]["required"]:
        assert f'"{name}"' in made_by.group(1), name


@pytest.mark.parametrize("path", ["wrangler.jsonc", "examples/minimal/wrangler.jsonc"])
def test_no_config_names_a_flag_its_compatibility_date_enables(path: str) -> None:
    whole = config(ROOT / path)
    assert redundant_flags(whole["compatibility_flags"], whole["compatibility_date"]) == []


def test_the_dispatcher_is_not_served_on_workers_dev_or_preview_urls() -> None:
    whole = config()
    assert whole["workers_dev"] is False
    assert whole["preview_urls"] is False
    # Routes are the operator's hostnames: a commented template in the config (docs/deploy.md).
    assert "routes" not in whole
    assert (
        '//   { "pattern": "dw-admin.example.com", "custom_domain": true }'
        in (ROOT / "wrangler.jsonc").read_text()
    )


def test_the_dispatcher_config_requires_its_secret_and_names_the_admin_hostname_var() -> None:
    whole = config()
    assert whole["secrets"] == {"required": ["ADMIN_TOKEN"]}
    assert whole["vars"] == {"ADMIN_HOSTNAME": ""}
    assert whole["observability"] == {"enabled": True}


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
