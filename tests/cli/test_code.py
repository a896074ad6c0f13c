"""A tenant's folder as an upload body (dwctl.code), on CPython."""

import base64
from collections.abc import Mapping
from pathlib import Path

import pytest

from dwctl.code import TenantFolderError, upload_body


def folder(tmp_path: Path, files: Mapping[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return tmp_path


def test_javascript_and_python_files_are_bare_strings_named_by_their_path(tmp_path: Path) -> None:
    body = upload_body(folder(tmp_path, {"main.py": "x = 1", "lib/util.py": "y = 2"}))
    assert body == {
        "mainModule": "main.py",
        "modules": {"lib/util.py": "y = 2", "main.py": "x = 1"},
    }


def test_other_known_suffixes_get_their_module_type(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "index.js": "export default {}",
        "helper.mjs": "export const a = 1",
        "old.cjs": "module.exports = 1",
        "data.json": '{"a": 1}',
        "notes.txt": "hello",
        "add.wasm": b"\x00asm\x01\x00\x00\x00",
        "blob.bin": b"\xff\x00",
    }
    modules = upload_body(folder(tmp_path, files))["modules"]
    assert modules["helper.mjs"] == {"js": "export const a = 1"}
    assert modules["old.cjs"] == {"cjs": "module.exports = 1"}
    assert modules["data.json"] == {"json": '{"a": 1}'}
    assert modules["notes.txt"] == {"text": "hello"}
    assert modules["add.wasm"] == {"wasm": base64.b64encode(b"\x00asm\x01\x00\x00\x00").decode()}
    assert modules["blob.bin"] == {"data": base64.b64encode(b"\xff\x00").decode()}


def test_hidden_files_caches_and_unknown_suffixes_are_left_out(tmp_path: Path) -> None:
    files = {
        "index.js": "",
        ".env.js": "secret",
        "__pycache__/x.py": "",
        ".git/hooks/a.js": "",
        "README.md": "# hi",
    }
    assert list(upload_body(folder(tmp_path, files))["modules"]) == ["index.js"]


def test_the_options_go_into_the_body(tmp_path: Path) -> None:
    body = upload_body(
        folder(tmp_path, {"worker.js": ""}),
        main_module="worker.js",
        compatibility_date="2026-08-03",
        compatibility_flags=["nodejs_compat"],
    )
    assert body["mainModule"] == "worker.js"
    assert body["compatibilityDate"] == "2026-08-03"
    assert body["compatibilityFlags"] == ["nodejs_compat"]


def test_a_folder_without_a_main_module_says_which_to_name(tmp_path: Path) -> None:
    with pytest.raises(TenantFolderError, match=r"no index.js or main.py: name the main module"):
        upload_body(folder(tmp_path, {"worker.js": ""}))


def test_a_named_main_module_must_be_in_the_folder(tmp_path: Path) -> None:
    with pytest.raises(TenantFolderError, match=r"no app.js"):
        upload_body(folder(tmp_path, {"index.js": ""}), main_module="app.js")


def test_a_folder_without_modules_or_that_is_no_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TenantFolderError, match="has no module"):
        upload_body(folder(tmp_path, {"README.md": ""}))
    with pytest.raises(TenantFolderError, match="is not a folder"):
        upload_body(tmp_path / "missing")
