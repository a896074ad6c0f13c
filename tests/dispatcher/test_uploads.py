"""Uploads are checked before they are stored, and named by their content."""

import datetime
from typing import Any

import pytest

from dispatcher.uploads import (
    ALLOWED_FLAGS,
    DEFAULT_COMPATIBILITY_DATE,
    MAX_CODE_BYTES,
    UploadError,
    check_flags,
    check_tenant_id,
    load_failure,
    parse_upload,
)
from dynamic_workflows.core.flags import DEFAULT_FROM

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
        ({**JS, "compatibilityFlags": ["nodejs_compat", "unsafe_module"]}, "unsafe_module"),
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


#: Flags no tenant may set: experimental ones (workerd's $experimental), the development
#: runtime's, and the ones the dispatcher sets or relies on.
DANGEROUS_FLAGS = [
    "experimental",
    "unsafe_module",
    "allow_insecure_inefficient_logged_eval",
    "python_workers_development",
    "disable_python_external_sdk",
    "enable_python_external_sdk",
    "python_workers",
    "python_external_packages",
    "python_workers_durable_objects",
    "service_binding_extra_handlers",
    "rtti_api",
    "connect_pass_through",
    "enable_nodejs_inspector_local_dev",
    "durable_object_get_existing",
    "typescript_strip_types",
    "wasm_memory_discard",
    "no_nodejs_compat",
    "not_a_flag",
]


@pytest.mark.parametrize("flag", DANGEROUS_FLAGS)
def test_a_flag_outside_the_allowlist_is_refused_naming_the_allowlist(flag: str) -> None:
    with pytest.raises(UploadError, match=r"allowed: .*nodejs_compat") as refused:
        parse_upload({**PY, "compatibilityFlags": [flag]})
    assert repr(flag) in str(refused.value)


def test_every_allowlisted_flag_is_accepted_at_a_date_before_it_became_the_default() -> None:
    flags = sorted(ALLOWED_FLAGS)
    code = parse_upload({**JS, "compatibilityDate": "2022-03-20", "compatibilityFlags": flags})
    assert code.compatibility_flags == tuple(flags)


#: Allowlisted flags that a date turns on, and the date (from the pinned workerd).
DATED_ALLOWED = sorted((f, DEFAULT_FROM[f]) for f in ALLOWED_FLAGS if DEFAULT_FROM[f] is not None)


@pytest.mark.parametrize(("flag", "since"), DATED_ALLOWED)
def test_a_flag_the_date_already_enables_is_refused_naming_the_flag_and_its_date(
    flag: str, since: str
) -> None:
    with pytest.raises(UploadError) as refused:
        parse_upload({**JS, "compatibilityDate": since, "compatibilityFlags": [flag]})
    assert f"{flag} (the default from {since})" in str(refused.value)
    assert f"already on at compatibilityDate {since}: leave them out" in str(refused.value)


@pytest.mark.parametrize(("flag", "since"), DATED_ALLOWED)
def test_a_flag_is_accepted_the_day_before_its_date_enables_it(flag: str, since: str) -> None:
    day_before = (datetime.date.fromisoformat(since) - datetime.timedelta(days=1)).isoformat()
    code = parse_upload({**JS, "compatibilityDate": day_before, "compatibilityFlags": [flag]})
    assert code.compatibility_flags == (flag,)


def test_at_the_default_date_only_the_undated_allowlisted_flags_may_be_named() -> None:
    undated = sorted(f for f in ALLOWED_FLAGS if DEFAULT_FROM[f] is None)
    assert undated == [
        "nodejs_als",
        "nodejs_zlib",
        "python_workflows",
        "python_workflows_implicit_dependencies",
    ]
    assert parse_upload({**PY, "compatibilityFlags": undated}).compatibility_flags == tuple(undated)


def test_the_dispatchers_own_python_flag_is_not_the_tenants_to_name() -> None:
    with pytest.raises(UploadError, match="not available to tenants"):
        parse_upload({**PY, "compatibilityFlags": ["enable_python_external_sdk"]})


def test_stored_code_naming_a_flag_its_date_enables_reads_back_without_it() -> None:
    code = parse_upload({**JS, "compatibilityDate": "2024-04-02", "compatibilityFlags": ["rpc"]})
    stored = code.to_json().replace('"2024-04-02"', f'"{DEFAULT_COMPATIBILITY_DATE}"')
    again = type(code).from_json(stored)
    assert again.compatibility_flags == ()
    assert again.compatibility_date == DEFAULT_COMPATIBILITY_DATE


def test_the_allowlist_has_no_experimental_or_dispatcher_flag() -> None:
    assert not ALLOWED_FLAGS.intersection(DANGEROUS_FLAGS)


def test_stored_code_is_checked_against_the_allowlist_again_when_read() -> None:
    stored = (
        parse_upload(JS)
        .to_json()
        .replace('"compatibilityFlags":[]', '"compatibilityFlags":["unsafe_module"]')
    )
    with pytest.raises(UploadError, match="unsafe_module"):
        type(parse_upload(JS)).from_json(stored)


def test_check_flags_sorts_and_deduplicates() -> None:
    assert check_flags(["nodejs_compat", "nodejs_als", "nodejs_compat"]) == (
        "nodejs_als",
        "nodejs_compat",
    )


@pytest.mark.parametrize("date", ["2026-11-02", "2027-01-01", "9999-12-31"])
def test_a_compatibility_date_after_the_dispatchers_is_refused(date: str) -> None:
    with pytest.raises(UploadError, match="after the dispatcher"):
        parse_upload({**JS, "compatibilityDate": date})


@pytest.mark.parametrize("date", ["2026-02-30", "2026-13-01", "2026-00-10", "0000-01-01"])
def test_a_compatibility_date_that_is_not_a_date_is_refused(date: str) -> None:
    with pytest.raises(UploadError, match="not a date"):
        parse_upload({**JS, "compatibilityDate": date})


def test_a_compatibility_date_in_other_digits_is_refused() -> None:
    with pytest.raises(UploadError, match="must look like"):
        parse_upload(
            {**JS, "compatibilityDate": "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661"}
        )


def test_the_dispatchers_own_date_and_earlier_ones_are_accepted() -> None:
    for date in (DEFAULT_COMPATIBILITY_DATE, "2024-09-23"):
        assert parse_upload({**JS, "compatibilityDate": date}).compatibility_date == date


def test_the_code_limit_counts_utf8_bytes_not_characters() -> None:
    chars = MAX_CODE_BYTES // 3 + 1  # fewer characters than the limit, more bytes
    body = {"mainModule": "index.js", "modules": {"index.js": "\u20ac" * chars}}
    with pytest.raises(UploadError, match="at most"):
        parse_upload(body)


def test_binary_modules_count_their_decoded_bytes() -> None:
    import base64  # noqa: PLC0415

    data = base64.b64encode(b"\0" * (MAX_CODE_BYTES - 100)).decode()  # longer in base64
    body = {"mainModule": "index.js", "modules": {"index.js": "", "b.bin": {"data": data}}}
    assert parse_upload(body).modules["b.bin"] == {"data": data}
    over = base64.b64encode(b"\0" * (MAX_CODE_BYTES + 1)).decode()
    with pytest.raises(UploadError, match="at most"):
        parse_upload({**body, "modules": {"index.js": "", "b.bin": {"data": over}}})


#: workerd's errors for code that did not load, as seen in local workerd 1.20261117.1.
LOAD_ERRORS = [
    (
        "Failed to start Worker:\nUncaught SyntaxError: Unexpected end of input\n"
        "  at index.js:1:16",
        "SyntaxError: Unexpected end of input (index.js:1:16)",
    ),
    (
        "Failed to start Worker:\nUncaught CompileError: WasmModuleObject::Compile(): expected "
        "magic word 00 61 73 6d, found 00 00 00 00 @+0",
        "CompileError: WasmModuleObject::Compile(): expected magic word 00 61 73 6d, "
        "found 00 00 00 00 @+0",
    ),
    (
        "Worker has no such entrypoint: TenantWorkflow",
        "Worker has no such entrypoint: TenantWorkflow",
    ),
    (
        "Failed to start Worker:\nUncaught Error: PythonError: Traceback (most recent call last):\n"
        '  File "/lib/python314.zip/_pyodide/_base.py", line 666, in pyimport_impl\n'
        "    res = __import__(stem, fromlist=fromlist)\n"
        '  File "/session/metadata/main.py", line 1, in <module>\n'
        "    raise ValueError('boom at import')\nValueError: boom at import\n\n"
        "  at pyodideRuntime-internal:pyodide.asm:3:569048 in new_error\n"
        "  at wasm://wasm/0249d42a:1:415075 in $wrap_exception",
        "ValueError: boom at import (main.py, line 1)",
    ),
]


@pytest.mark.parametrize(("message", "said"), LOAD_ERRORS)
def test_a_load_failure_is_told_in_one_line_without_runtime_paths(message: str, said: str) -> None:
    assert load_failure(message, ["index.js", "main.py", "m.wasm"]) == said


def test_a_load_failure_names_only_the_tenants_own_modules() -> None:
    message = (
        'Traceback:\n  File "/session/metadata/dispatcher/app.py", line 9, in x\nRuntimeError: no'
    )
    assert load_failure(message, ["main.py"]) == "RuntimeError: no"


def test_a_long_load_failure_is_cut() -> None:
    assert len(load_failure("Error: " + "x" * 5000, [])) == 300
