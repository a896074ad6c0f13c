"""The README's "Using the library" quotes examples/minimal: each quoted block is the file.

CI runs those files (tests/examples/test_minimal.py), so the README cannot drift from them.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUOTED = re.compile(r"^`(examples/minimal/[^`]+)`:\n\n```\w*\n(.*?)^```$", re.M | re.S)
MUST_QUOTE = {
    "examples/minimal/pyproject.toml",
    "examples/minimal/wrangler.jsonc",
    "examples/minimal/src/worker.py",
    "examples/minimal/src/tenants/js/index.js",
    "examples/minimal/src/tenants/py/main.py",
}


def section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_the_readme_quotes_the_example_files_exactly() -> None:
    quoted = QUOTED.findall(section("Using the library"))
    assert {path for path, _ in quoted} >= MUST_QUOTE
    for path, block in quoted:
        assert block == (ROOT / path).read_text(), f"README's copy of {path} differs"
