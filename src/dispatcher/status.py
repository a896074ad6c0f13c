"""``GET /admin/status``: what runs in this dispatcher, as an operator needs to know it.

The library's version, the runtime's Python, Pyodide and Workers SDK versions,
the shards (bound in this deployment, open to new tenants), which dev-only routes
and checks are on (none, deployed), and every private
detail of workerd or the SDK that the library and the dispatcher rely on: in use,
or fallen back and why (``dynamic_workflows.private_details()``). The details are
tried first, so none reads "not tried yet" in a fresh isolate.
"""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

import dynamic_workflows
from dynamic_workflows import development_runtime, private_details, try_private_details

from . import debug, routing, tail, wake
from .config import LEGACY_SHARD, OPEN_SHARDS, SHARDS
from .probe_elsewhere import probe_url

#: The distributions whose versions the status names (as vendored into python_modules).
SDK_DISTRIBUTION = "workers-runtime-sdk"


async def try_details() -> None:
    """Run every guard that has not run in this isolate yet (each records its outcome)."""
    await routing.load()
    try_private_details()
    if not any(d["name"] == tail.SURFACE_DETAIL and d["inUse"] is True for d in private_details()):
        await tail.call_empty()


async def status(env: Any) -> dict[str, Any]:
    await try_details()
    details = private_details()
    return {
        "library": {"name": "dynamic-workflows", "version": dynamic_workflows.__version__},
        "runtime": {
            "python": platform.python_version(),
            "pyodide": _pyodide_version(),
            "sdk": {"name": SDK_DISTRIBUTION, "version": _version(SDK_DISTRIBUTION)},
            "developmentRuntime": development_runtime(),
        },
        # The only hostname(s) /admin/ answers on (None: any, as in local runs).
        "adminHostname": str(getattr(env, "ADMIN_HOSTNAME", "") or "") or None,
        "shards": [
            {
                "binding": shard,
                "bound": getattr(env, shard, None) is not None,
                "open": shard in OPEN_SHARDS,
                "legacy": shard == LEGACY_SHARD,
            }
            for shard in SHARDS
        ],
        # What only local runs turn on: none of it in a deployed config (tests/test_config.py).
        "devOnly": {
            "debugRoutes": debug.enabled(env),
            "wakeRoute": wake.enabled(env),
            "uploadProbe": probe_url(env) is not None,
        },
        "privateDetails": details,
        "allDetailsInUse": all(detail["inUse"] is True for detail in details),
    }


def _version(distribution: str) -> str | None:
    """The vendored distribution's version (its *.dist-info), None when it has none."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _pyodide_version() -> str | None:
    try:
        import pyodide  # noqa: PLC0415 - the runtime's own

        return str(pyodide.__version__)
    except (ImportError, AttributeError):
        return None
