"""Python tenants get the SDK's JavaScript helper from the library, with no wrangler rule."""

import json
import re
from pathlib import Path

from dynamic_workflows.runtime import sdk_workflows_js
from dynamic_workflows.runtime.flags import development_runtime

ROOT = Path(__file__).resolve().parents[2]


def test_the_sdk_helper_the_library_carries_is_the_vendored_sdks_own() -> None:
    vendored = ROOT / "python_modules" / "workers" / "workflows.js"
    assert vendored.read_text() == sdk_workflows_js.SOURCE, (
        "workers-runtime-sdk changed workflows.js: run "
        "`.venv/bin/python -m dynamic_workflows.runtime.sdk_workflows_js "
        "python_modules/workers/workflows.js` (with src on the path)"
    )


def test_the_helper_goes_where_the_sdk_imports_it_from() -> None:
    """The SDK imports it as its prefix plus ``workflows.js`` (``workers/utils.py``,
    ``workers/entrypoints.py``); a tenant given it elsewhere could not run a Workflow."""
    sdk = ROOT / "python_modules" / "workers"
    prefix = re.search(r'^_SDK_JS_MODULE_PREFIX = "(.+)"$', (sdk / "utils.py").read_text(), re.M)
    assert prefix is not None, "the SDK no longer names where its JavaScript modules are"
    imported = re.findall(
        r'import_sdk_javascript_module_async\("(.+?)"\)', (sdk / "entrypoints.py").read_text()
    )
    assert [prefix.group(1) + name for name in imported] == [sdk_workflows_js.MODULE_NAME]


def test_the_dispatcher_config_has_only_the_rules_for_its_javascript_and_the_consoles() -> None:
    """The SDK's helper needs no rule; the library's module is an ES module under the name
    it is imported by (a link), and its file text (JavaScript tenants get its source); the
    console's files are text (and none of them is under python_modules)."""
    config = re.sub(r"^\s*//.*$", "", (ROOT / "wrangler.jsonc").read_text(), flags=re.M)
    assert json.loads(config)["rules"] == [
        {
            "type": "Text",
            "globs": ["dispatcher/console/*", "dynamic_workflows/**/*.mjs"],
            "fallthrough": False,
        },
        {"type": "ESModule", "globs": ["dynamic_workflows.mjs", "dispatcher/*.mjs"]},
    ]
    link = ROOT / "src" / "dynamic_workflows.mjs"
    assert link.is_symlink()
    assert link.resolve() == ROOT / "src" / "dynamic_workflows" / "runtime" / "library.mjs"


def test_outside_workerd_the_development_runtime_reads_as_off() -> None:
    assert development_runtime() is False
