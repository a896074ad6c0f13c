"""A tenant's folder as the body of ``PUT /admin/tenants/<tenant>``.

Every file with a known suffix becomes a module named by its path in the folder:
``.js``/``.mjs`` ES modules, ``.cjs`` CommonJS, ``.py`` Python, ``.json``,
``.txt`` text, ``.wasm`` and ``.bin`` (data) as base64. Other files, hidden
ones and ``__pycache__`` are left out. The main module is ``index.js`` or
``main.py`` unless named.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

#: Module type by file suffix; binary types travel as base64.
MODULE_TYPES = {
    ".js": "js",
    ".mjs": "js",
    ".cjs": "cjs",
    ".py": "py",
    ".json": "json",
    ".txt": "text",
    ".wasm": "wasm",
    ".bin": "data",
}
BINARY = ("wasm", "data")
MAIN_MODULES = ("index.js", "main.py")


class TenantFolderError(ValueError):
    """The folder cannot be uploaded as it is; the message says what to change."""


def upload_body(
    directory: Path,
    *,
    main_module: str | None = None,
    compatibility_date: str | None = None,
    compatibility_flags: list[str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """The upload for ``directory``: its modules, main module and the options given."""
    if not directory.is_dir():
        raise TenantFolderError(f"{directory} is not a folder of tenant code")
    modules: dict[str, Any] = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if not path.is_file() or path.suffix not in MODULE_TYPES or _skipped(relative):
            continue
        modules[relative.as_posix()] = _module(path)
    if not modules:
        raise TenantFolderError(
            f"{directory} has no module: expected {', '.join(sorted(MODULE_TYPES))} files"
        )
    main = main_module or next((name for name in MAIN_MODULES if name in modules), None)
    if main is None or main not in modules:
        raise TenantFolderError(
            f"{directory} has no {main or ' or '.join(MAIN_MODULES)}: name the main module "
            f"(one of {', '.join(sorted(modules)[:5])}{', ...' if len(modules) > 5 else ''})"
        )
    body: dict[str, Any] = {"mainModule": main, "modules": modules}
    if compatibility_date is not None:
        body["compatibilityDate"] = compatibility_date
    if compatibility_flags:
        body["compatibilityFlags"] = list(compatibility_flags)
    return {**body, **overrides}


def _skipped(relative: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts)


def _module(path: Path) -> Any:
    kind = MODULE_TYPES[path.suffix]
    if kind in BINARY:
        return {kind: base64.b64encode(path.read_bytes()).decode()}
    text = path.read_text(encoding="utf-8")
    if kind in ("js", "py") and path.suffix in (".js", ".py"):
        return text  # a bare string: the dispatcher reads .js as ES module, .py as Python
    return {kind: text}
