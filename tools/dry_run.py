"""``wrangler deploy --dry-run --outdir DIR``: what a deploy would upload, without an account.

It validates the config and bundles the worker as ``pywrangler deploy`` would (after its
sync), under the pinned wrangler and Node, offline. It does not check compatibility flags
against the date (the flag table and its tests do) and creates nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tools.offline_runtime.pins import NODE, WRANGLER

_SIZE = re.compile(r"Total Upload: ([0-9.]+) KiB / gzip: ([0-9.]+) KiB")


@dataclass(frozen=True)
class DryRun:
    output: str
    total_kib: float
    gzip_kib: float
    outdir: Path

    def modules(self) -> set[str]:
        """Every file the bundle holds, relative to ``outdir``."""
        return {
            path.relative_to(self.outdir).as_posix()
            for path in self.outdir.rglob("*")
            if path.is_file()
        }


def dry_run(project: Path, outdir: Path, secrets_file: Path | None = None) -> DryRun:
    """Dry-run the deploy of the Worker in ``project`` into ``outdir`` (with the secrets of
    ``secrets_file``, as a first deploy carries them); AssertionError with wrangler's output
    when it fails."""
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(NODE.parent), os.environ["PATH"]]),
        "CI": "true",
        "WRANGLER_SEND_METRICS": "false",
        "NO_COLOR": "1",
    }
    command = [str(NODE), str(WRANGLER), "deploy", "--dry-run", "--outdir", str(outdir)]
    if secrets_file is not None:
        command += ["--secrets-file", str(secrets_file)]
    result = subprocess.run(
        command,
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    size = _SIZE.search(output)
    assert size is not None, output
    return DryRun(output, float(size.group(1)), float(size.group(2)), outdir)
