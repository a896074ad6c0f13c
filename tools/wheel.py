"""The library's wheel, built by ``uv build --wheel``: CI checks it, the example installs it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def build_wheel(out_dir: Path) -> Path:
    """Build ``dynamic_workflows-*.whl`` into ``out_dir`` (replacing older ones); its path.

    uv runs the build backend with the venv's Python and never downloads an interpreter.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("dynamic_workflows-*.whl"):
        old.unlink()
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"}
    build = [str(VENV_BIN / "uv"), "build", "--wheel", "--python", str(VENV_BIN / "python")]
    subprocess.run(
        [*build, "--out-dir", str(out_dir), str(ROOT)],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out_dir.glob("dynamic_workflows-*.whl")
    return wheel
