"""The worker's own compatibility flags, as the ``workers`` SDK reads them.

workerd gives Python workers a module ``_cloudflare_compat_flags`` with one
attribute per flag it knows (a private detail, ``compat-flags-module`` in the
registry); a flag it does not know, or a Python without the module, reads as off.
"""

from __future__ import annotations

import sys
from importlib import import_module

from ..core.details import record_detail

DETAIL = "compat-flags-module"
_forced: dict[str, str | None] = {"reason": None}

#: The flag that selects workerd's development Pyodide bundle (local runs only).
DEVELOPMENT_FLAG = "python_workers_development"
#: Turns off dedicated memory snapshots, which compatibility dates from 2025-10-16 switch on.
#: Every Python worker of a development run carries it: workerd restores one snapshot in all
#: of a process's Python isolates, and each checks that its type fits its own flags.
NO_DEDICATED_SNAPSHOT_FLAG = "disable_python_dedicated_snapshot"


def development_runtime() -> bool:
    """True on workerd's development Pyodide bundle (``python_workers_development``)."""
    try:
        if _forced["reason"] is not None:
            raise ImportError(_forced["reason"])
        flags = import_module("_cloudflare_compat_flags")
    except ImportError as exc:
        if sys.platform == "emscripten":  # in a worker; CPython has no such module
            record_detail(DETAIL, False, f"no module _cloudflare_compat_flags ({exc})")
        return False
    record_detail(DETAIL, True)
    return bool(getattr(flags, DEVELOPMENT_FLAG, False))


def force_fallback(reason: str | None) -> None:
    """Tests only: read every flag as off (``reason``), or read them again (None)."""
    _forced["reason"] = reason
    development_runtime()
