"""Everything the tests and ``make dev`` need, installed offline-safe and idempotently.

1. npm packages at the pinned versions (wrangler, workerd, Node 22, pyodide);
2. ``workers-runtime-sdk`` (the version pyproject.toml pins) vendored into
   ``python_modules`` as ``pywrangler sync`` would, without its downloads;
3. the development Pyodide bundle for workerd.
Each step is skipped when its result is already up to date.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools.offline_runtime.build_bundle import ensure_bundle
from tools.offline_runtime.pins import ROOT, PinMismatchError, check_installed

PYTHON_MODULES = ROOT / "python_modules"
_VENDOR_STAMP = ROOT / ".cache" / "python_modules.stamp"


def sdk_requirement() -> str:
    """``workers-runtime-sdk==X`` as pinned in pyproject.toml's runtime dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        if re.fullmatch(r"workers-runtime-sdk==[\w.]+", requirement):
            return str(requirement)
    raise SystemExit("pyproject.toml must pin workers-runtime-sdk==<version> in dependencies")


def install_npm() -> None:
    try:
        check_installed()
    except PinMismatchError as exc:
        print(f"{exc}\n-> npm ci", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
        check_installed()


def vendor_sdk() -> None:
    requirement = sdk_requirement()
    vendored = (PYTHON_MODULES / "workers" / "__init__.py").is_file()
    if vendored and _VENDOR_STAMP.is_file() and _VENDOR_STAMP.read_text() == requirement:
        return
    shutil.rmtree(PYTHON_MODULES, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--target",
            str(PYTHON_MODULES),
            requirement,
        ],
        check=True,
    )
    for junk in [*PYTHON_MODULES.glob("*.dist-info"), PYTHON_MODULES / "bin"]:
        shutil.rmtree(junk, ignore_errors=True)
    for cache in PYTHON_MODULES.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    _VENDOR_STAMP.parent.mkdir(exist_ok=True)
    _VENDOR_STAMP.write_text(requirement)
    print(f"vendored {requirement} into python_modules/")


def main() -> None:
    install_npm()
    vendor_sdk()
    ensure_bundle()


if __name__ == "__main__":
    main()
