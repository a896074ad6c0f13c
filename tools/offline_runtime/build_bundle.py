"""Build workerd's development Pyodide bundle (``pyodide_dev.capnp.bin``) from npm pyodide.

workerd with ``python_workers_development`` loads bundle version ``dev`` from
``--pyodide-bundle-disk-cache-dir`` and never downloads it. The bundle holds three
internal modules: the adapted glue, the wasm and the stdlib zip. The output is
deterministic and cached: it is rebuilt only when an input or this builder changes.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools.offline_runtime.capnp import Module, encode_bundle
from tools.offline_runtime.glue import adapt_glue
from tools.offline_runtime.pins import PYODIDE_DIR, ROOT

BUNDLE_DIR = ROOT / ".cache" / "pyodide-bundle"
BUNDLE_NAME = "pyodide_dev.capnp.bin"
_PREFIX = "pyodideRuntime-internal:"
_INPUTS = ("pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
_BUILDER = [Path(__file__).with_name(name) for name in ("build_bundle.py", "capnp.py", "glue.py")]


def _fingerprint(pyodide_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in [*(pyodide_dir / name for name in _INPUTS), *_BUILDER]:
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def build(pyodide_dir: Path = PYODIDE_DIR) -> bytes:
    """The bundle's bytes; raises AdaptationError naming the step that found nothing."""
    glue, counts = adapt_glue((pyodide_dir / "pyodide.asm.mjs").read_text(encoding="utf-8"))
    print("glue adaptations:", ", ".join(f"{step} x{n}" for step, n in counts.items()))
    return encode_bundle(
        [
            Module(_PREFIX + "pyodide.asm", "src", glue.encode()),
            Module(
                _PREFIX + "pyodide.asm.wasm",
                "wasm",
                (pyodide_dir / "pyodide.asm.wasm").read_bytes(),
            ),
            Module(
                _PREFIX + "python_stdlib.zip",
                "data",
                (pyodide_dir / "python_stdlib.zip").read_bytes(),
            ),
        ]
    )


def ensure_bundle(out_dir: Path = BUNDLE_DIR, pyodide_dir: Path = PYODIDE_DIR) -> Path:
    """Build the bundle into ``out_dir`` unless an up-to-date one is there; return the dir."""
    target, stamp = out_dir / BUNDLE_NAME, out_dir / (BUNDLE_NAME + ".inputs")
    fingerprint = _fingerprint(pyodide_dir)
    if target.is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    data = build(pyodide_dir)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(target)
    stamp.write_text(fingerprint)
    print(f"built {target.relative_to(ROOT)} ({len(data) / 1e6:.1f} MB)")
    return out_dir


if __name__ == "__main__":
    ensure_bundle()
