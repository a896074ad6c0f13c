"""The wheel ``uv build`` makes: installed into a fresh directory, its public API imports.

Core names import on CPython; runtime names are listed in ``__all__`` and import only
when first used (they need the Workers runtime), so importing the package pulls in none
of ``js``, ``pyodide`` or ``workers``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tools.wheel import build_wheel

#: Names a dispatcher uses (they need the Workers runtime) and core names (they do not).
RUNTIME_NAMES = {
    "DynamicWorkflowBinding",
    "DynamicWorkflowEntrypoint",
    "create_dynamic_workflow_entrypoint",
    "dispatch_workflow",
    "wrap_workflow_binding",
    "load_tenant_worker",
    "tenant_worker_code",
}
CORE_NAMES = {"DEFAULT_SCOPE_KEY", "DynamicWorkflowsError", "InstanceNotFoundError"}
RUNTIME_MODULES = {"js", "pyodide", "workers"}

CHECK = """
import json, sys
sys.path.insert(0, sys.argv[1])
import dynamic_workflows as dw
from dynamic_workflows import core
loaded_at_import = sorted(m for m in ("js", "pyodide", "workers") if m in sys.modules)
core_names, lazy = [], {}
for name in dw.__all__:
    try:
        getattr(dw, name)
        core_names.append(name)
    except ModuleNotFoundError as exc:
        lazy[name] = exc.name
print(json.dumps({
    "file": dw.__file__,
    "all": dw.__all__,
    "core": core_names,
    "lazy": lazy,
    "loaded_at_import": loaded_at_import,
    "error_base": dw.InstanceNotFoundError.__mro__[1].__name__,
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


def test_the_wheel_carries_the_package_its_types_and_its_one_dependency(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        requires = [
            line.split(":", 1)[1].strip()
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    assert "dynamic_workflows/py.typed" in names
    assert "dynamic_workflows/runtime/binding.py" in names
    assert "dynamic_workflows/tenant.py" in names
    assert requires == ["workers-runtime-sdk==1.9.5"]
    assert all(n.startswith(("dynamic_workflows/", "dynamic_workflows-")) for n in names), names


def test_installed_into_a_fresh_target_the_public_api_imports(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    subprocess.run(
        [*pip, "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    assert (target / "dynamic_workflows" / "py.typed").is_file()
    # -S: no site-packages, so only the fresh target can provide the package.
    result = subprocess.run(
        [sys.executable, "-S", "-c", CHECK, str(target)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    report = json.loads(result.stdout)
    assert Path(report["file"]).is_relative_to(target)
    assert report["loaded_at_import"] == []
    assert set(report["core"]) >= CORE_NAMES
    assert report["error_base"] == "DynamicWorkflowsError"
    # Runtime names are public, and fail only when used, for want of the runtime's modules.
    assert set(report["lazy"]) >= RUNTIME_NAMES
    assert set(report["lazy"].values()) <= RUNTIME_MODULES
    assert set(report["core"]) | set(report["lazy"]) == set(report["all"])
