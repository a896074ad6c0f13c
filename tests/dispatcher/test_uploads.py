"""Uploads are checked before they are stored, and named by their content."""

from typing import Any

import pytest

from dispatcher.uploads import (
    DEFAULT_COMPATIBILITY_DATE,
    MAX_CODE_BYTES,
    UploadError,
    check_tenant_id,
    parse_upload,
)

JS = {"mainModule": "index.js", "modules": {"index.js": "export default {}"}}
PY: dict[str, Any] = {
    "mainModule": "main.py",
    "modules": {"main.py": "x = 1", "lib/util.py": "y = 2"},
}


def test_a_javascript_upload_is_normalised_to_typed_modules() -> None:
    code = parse_upload(JS)
    assert code.modules == {"index.js": {"js": "export default {}"}}
    assert not code.is_python


def test_a_python_upload_may_have_python_modules() -> None:
    code = parse_upload(PY)
    assert code.is_python
    assert code.modules["lib/util.py"] == {"py": "y = 2"}


def test_the_default_compatibility_date_is_the_dispatchers() -> None:
    assert parse_upload(JS).compatibility_date == DEFAULT_COMPATIBILITY_DATE


def test_the_same_code_always_gets_the_same_version() -> None:
    assert parse_upload(JS).version == parse_upload(dict(JS)).version


def test_different_code_gets_a_different_version() -> None:
    other = {**JS, "modules": {"index.js": "export default {fetch(){}}"}}
    assert parse_upload(JS).version != parse_upload(other).version


def test_stored_code_reads_back_as_the_same_code() -> None:
    code = parse_upload(PY)
    assert type(code).from_json(code.to_json()) == code


def test_every_worker_loader_module_type_is_accepted() -> None:
    modules = {
        "index.js": "export default {}",
        "c.cjs": {"cjs": "module.exports = 1"},
        "t.txt": {"text": "hi"},
        "d.json": {"json": {"a": 1}},
        "b.bin": {"data": "AAEC"},
        "m.wasm": {"wasm": "AGFzbQ=="},
    }
    assert len(parse_upload({"mainModule": "index.js", "modules": modules}).modules) == 6


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ([], "JSON object"),
        ({"mainModule": "index.js"}, "non-empty object"),
        ({"mainModule": "missing.js", "modules": {"index.js": ""}}, "must name one of"),
        ({**JS, "extra": 1}, "unknown fields"),
        ({"mainModule": "index.js", "modules": {"index.js": "", "x.py": "1"}}, "Python main"),
        ({"mainModule": "a.txt", "modules": {"a.txt": {"text": "x"}}}, "must be JavaScript"),
        ({"mainModule": "index.js", "modules": {"index.js": "", "../up.js": ""}}, "relative path"),
        ({"mainModule": "index.js", "modules": {"index.js": "", "/abs.js": ""}}, "relative path"),
        ({"mainModule": "index.js", "modules": {"index.js": "", "x.css": "a"}}, "bare string"),
        ({"mainModule": "index.js", "modules": {"index.js": {"ts": "x"}}}, "has type 'ts'"),
        ({"mainModule": "index.js", "modules": {"index.js": {"js": 1}}}, "must be a string"),
        ({"mainModule": "index.js", "modules": {"index.js": "", "b": {"data": "!!"}}}, "base64"),
        ({"mainModule": "index.js", "modules": {"index.js": "", "j": {"json": "{"}}}, "parse"),
        ({**JS, "compatibilityDate": "yesterday"}, "2026-11-01"),
        ({**JS, "compatibilityFlags": "nodejs_compat"}, "list of flag names"),
        ({**JS, "compatibilityFlags": ["experimental"]}, "not available to tenants"),
        ({**PY, "modules": {**PY["modules"], "dynamic_workflows/x.py": ""}}, "dispatcher provides"),
        ({**PY, "modules": {**PY["modules"], "python_modules/workers/x.py": ""}}, "leave it out"),
        ({**PY, "compatibilityFlags": ["disable_python_external_sdk"]}, "not available"),
        (
            {"mainModule": "index.js", "modules": {"index.js": "x" * (MAX_CODE_BYTES + 1)}},
            "at most",
        ),
    ],
)
def test_a_bad_upload_is_refused_with_what_to_fix(body: object, text: str) -> None:
    with pytest.raises(UploadError, match=text.replace("(", r"\(")):
        parse_upload(body)


@pytest.mark.parametrize("tenant", ["", "UPPER", "-dash", "a/b", "x" * 64])
def test_a_bad_tenant_id_is_refused(tenant: str) -> None:
    with pytest.raises(UploadError, match="tenant id"):
        check_tenant_id(tenant)
