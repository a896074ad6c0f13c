"""docs/library.md quotes examples/minimal: each quoted block is the file.

CI runs those files (tests/examples/test_minimal.py), so the guide cannot drift from them.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "library.md"
QUOTED = re.compile(r"^`(examples/minimal/[^`]+)`:\n\n```\w*\n(.*?)^```$", re.M | re.S)
MUST_QUOTE = {
    "examples/minimal/pyproject.toml",
    "examples/minimal/wrangler.jsonc",
    "examples/minimal/src/worker.py",
    "examples/minimal/src/tenants/js/index.js",
    "examples/minimal/src/tenants/py/main.py",
}


def test_the_library_guide_quotes_the_example_files_exactly() -> None:
    quoted = QUOTED.findall(GUIDE.read_text())
    assert {path for path, _ in quoted} >= MUST_QUOTE
    for path, block in quoted:
        assert block == (ROOT / path).read_text(), f"{GUIDE.name}'s copy of {path} differs"


def test_every_relative_link_in_the_readme_and_docs_points_at_a_file() -> None:
    pages = [
        ROOT / "README.md",
        ROOT / "bench" / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
    ]
    for page in pages:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to {target}"
