"""A baseline memory snapshot of the development runtime, saved once and loaded by every start.

workerd can save the Pyodide heap of a Python worker right after the interpreter has
booted and imported its baseline modules (``asyncio``, ``inspect``, ``typing``, ``re``,
``pathlib``, ... : the list compiled into workerd), before any worker file is mounted: a
*baseline* snapshot, the same for every Python worker on the same bundle and workerd.
``--python-save-snapshot`` writes one only when the worker runs without the
``python_dedicated_snapshot`` flag, which compatibility dates from 2025-10-16 imply: the
throw-away worker carries ``disable_python_dedicated_snapshot``. (With the flag on it
writes a *dedicated* snapshot instead, taken after the worker's ``main.py`` ran; restored in
another worker, that ``main`` module and its imports shadow the worker's own.) Started with
``--python-load-snapshot``, every Python isolate, the dispatcher's and each Python tenant's
(Worker Loader), restores that heap instead of booting, as Cloudflare's released runtime
does with its own snapshots. Each isolate checks the snapshot's type against its own flags
(``checkSnapshotType`` in workerd's ``pyodide-internal:snapshot``; local workerd does not
exempt dynamic workers), so on the development runtime every Python worker also runs with
``disable_python_dedicated_snapshot``: the dispatcher (``DevServer``, ``bin/npx``) and its
Python tenants (``dynamic_workflows.runtime.loader``).

On by default; ``DW_PYTHON_SNAPSHOT=0`` turns it off. See README.md ("Memory snapshots").

``ensure_snapshot()`` saves it with a throw-away one-line Python worker (workerd exits on
its own once the worker has loaded, about 3-6 s), next to the bundle in
``.cache/pyodide-bundle/snapshot/``, with a stamp naming the bundle fingerprint, the
workerd version it was made with and its type. The wrapper ``workerd`` loads it unless
``DW_PYTHON_SNAPSHOT=0``, and only when that stamp matches the current bundle and workerd;
the set-up (``setup.py``) and ``DevServer`` save it first unless that variable says no.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools.offline_runtime.build_bundle import BUNDLE_DIR, BUNDLE_NAME, ensure_bundle
from tools.offline_runtime.pins import NPM, WORKERD

SNAPSHOT_NAME = "snapshot.bin"
#: workerd's magic number at the start of a memory snapshot (``SNAPSHOT_MAGIC`` in snapshot.ts).
SNAPSHOT_MAGIC = 0x706E7300
#: The flags of the worker the snapshot is taken with: the development bundle, the
#: runtime's built-in SDK (nothing to vendor). A baseline snapshot is taken before any
#: worker file is mounted, so it does not depend on the worker.
FLAGS = (
    "python_workers",
    "python_workers_development",
    "disable_python_external_sdk",
    # Compatibility dates from 2025-10-16 imply python_dedicated_snapshot: without this,
    # --python-save-snapshot saves a *dedicated* snapshot, taken after this worker's main.py
    # ran, whose sys.modules["main"] then shadows every other worker's main module.
    "disable_python_dedicated_snapshot",
)
COMPATIBILITY_DATE = "2026-11-01"
_CONFIG = """using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = .worker)]);
const worker :Workerd.Worker = (
  modules = [(name = "main.py", pythonModule = "def on_fetch(request):\\n    pass\\n")],
  compatibilityDate = "%s",
  compatibilityFlags = [%s],
);
"""


class SnapshotError(RuntimeError):
    """workerd did not save a snapshot; the message ends with its output."""


def snapshot_type(snapshot: Path) -> str:
    """``baseline`` or ``dedicated``: the ``settings.snapshotType`` of the snapshot's header.

    The file starts with four little-endian u32 (magic, version, heap offset, length of
    the JSON metadata that follows them), as ``encodeSnapshot`` in workerd's snapshot.ts.
    """
    with snapshot.open("rb") as file:
        header = file.read(16)
        magic, _, _, json_length = (
            int.from_bytes(header[i : i + 4], "little") for i in range(0, 16, 4)
        )
        if magic != SNAPSHOT_MAGIC:
            raise SnapshotError(f"{snapshot} starts with {magic:#x}, not a memory snapshot")
        settings = json.loads(file.read(json_length)).get("settings", {})
    return str(settings.get("snapshotType", "baseline"))


def snapshot_dir(bundle_dir: Path = BUNDLE_DIR) -> Path:
    return bundle_dir / "snapshot"


def stamp(bundle_dir: Path = BUNDLE_DIR) -> str:
    """What the snapshot was made from: the first line is what the wrapper checks."""
    inputs = (bundle_dir / (BUNDLE_NAME + ".inputs")).read_text().strip()
    maker = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    workerd = NPM["@cloudflare/workerd-linux-64"]
    return f"bundle={inputs} workerd={workerd} type=baseline\nmaker={maker}\n"


def snapshot_wanted(environment: Mapping[str, str]) -> bool:
    """Whether Python workers start from the snapshot: yes unless ``DW_PYTHON_SNAPSHOT=0``
    (as the wrapper ``workerd`` decides)."""
    return environment.get("DW_PYTHON_SNAPSHOT", "1") != "0"


def is_fresh(bundle_dir: Path = BUNDLE_DIR) -> bool:
    directory = snapshot_dir(bundle_dir)
    stamp_file = directory / (SNAPSHOT_NAME + ".inputs")
    try:
        return (directory / SNAPSHOT_NAME).is_file() and stamp_file.read_text() == stamp(bundle_dir)
    except FileNotFoundError:
        return False


def save(bundle_dir: Path, out: Path, timeout: float = 120.0) -> Path:
    """Have workerd save a baseline snapshot of the bundle in ``bundle_dir`` into ``out``."""
    config = out / "config.capnp"
    flags = ", ".join(f'"{flag}"' for flag in FLAGS)
    config.write_text(_CONFIG % (COMPATIBILITY_DATE, flags))
    command = [
        str(WORKERD),
        "serve",
        str(config),
        "--experimental",
        f"--pyodide-bundle-disk-cache-dir={bundle_dir}",
        "--python-save-snapshot",
        f"--python-snapshot-dir={out}",
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        output = (done.stdout + done.stderr)[-3000:]
    except subprocess.TimeoutExpired as exc:
        raise SnapshotError(f"workerd did not exit within {timeout:.0f}s") from exc
    snapshot = out / SNAPSHOT_NAME
    if not snapshot.is_file():
        raise SnapshotError(f"workerd (exit {done.returncode}) saved no snapshot:\n{output}")
    kind = snapshot_type(snapshot)
    if kind != "baseline":
        raise SnapshotError(f"workerd saved a {kind} snapshot, not a baseline one:\n{output}")
    return snapshot


def ensure_snapshot(bundle_dir: Path = BUNDLE_DIR) -> Path:
    """The snapshot directory, saving a snapshot first unless an up-to-date one is there.

    Safe with concurrent callers: each saves in its own temporary directory; the file and
    then its stamp are renamed into place, and the wrapper loads the file only under a
    matching stamp.
    """
    ensure_bundle(bundle_dir)
    directory = snapshot_dir(bundle_dir)
    if is_fresh(bundle_dir):
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(dir=directory, prefix="making-") as tmp:
        made = save(bundle_dir, Path(tmp))
        os.replace(made, directory / SNAPSHOT_NAME)
        stamp_file = Path(tmp) / "stamp"
        stamp_file.write_text(stamp(bundle_dir))
        os.replace(stamp_file, directory / (SNAPSHOT_NAME + ".inputs"))
    size = (directory / SNAPSHOT_NAME).stat().st_size
    print(
        f"saved the runtime's baseline snapshot ({size / 1e6:.1f} MB) "
        f"in {time.monotonic() - began:.1f}s"
    )
    return directory


if __name__ == "__main__":
    ensure_snapshot()
