"""Tenant code uploads: checked before they are stored, named by their content.

An upload is the JSON form of a Worker Loader ``WorkerCode``. Checked here:
names are plain relative paths, module types are the ones Worker Loader
accepts, sizes (in bytes) are within its limits, the main module exists,
Python modules come only with a Python main module, the compatibility date is
a real date no later than the dispatcher's, and every compatibility flag is in
ALLOWED_FLAGS and not one the compatibility date already enables (Cloudflare
refuses a worker naming such a flag; the dates are in
``dynamic_workflows.core.flags``). (Whether the code then loads is proved in workerd before it is
stored: ``tenants.probe``.) The version is a hash of the normalised code, so
the same code always gets the same version and a version never names
different code.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dynamic_workflows.core.flags import redundant_flags

MODULE_TYPES = ("js", "cjs", "py", "text", "json", "data", "wasm")
BINARY_TYPES = ("data", "wasm")
MAX_CODE_BYTES = 10 * 1024 * 1024
MAX_MODULES = 500
DEFAULT_COMPATIBILITY_DATE = "2026-11-01"
#: Python module paths the dispatcher fills in for every Python tenant (library and SDK).
RESERVED_PREFIXES = ("dynamic_workflows/", "python_modules/")

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")
TENANT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FLAG = re.compile(r"[a-z0-9_]{1,64}")
#: A Python traceback frame in one of the tenant's modules, and a JavaScript stack frame.
_PY_FRAME = re.compile(r'File "/session/metadata/([^"]+)", line ([0-9]+)')
_JS_FRAME = re.compile(r"at ([A-Za-z0-9_][A-Za-z0-9_./-]*):([0-9]+:[0-9]+)")
#: The compatibility flags a tenant may ask for. Each is a released (non-``$experimental``)
#: flag of workerd's src/workerd/io/compatibility-date.capnp that only changes the tenant's
#: own APIs. Everything else is refused: experimental flags (``unsafe_module``,
#: ``allow_insecure_inefficient_logged_eval``, ``experimental``,
#: ``python_workers_development``) would run with the ``allowExperimental`` the offline
#: runtime gives Python tenants, and flags the dispatcher sets itself
#: (``python_workers``, ``enable_python_external_sdk``) or relies on
#: (``disable_python_external_sdk`` would break runs) are not the tenant's to change.
#: Most of them are on by default at the default date (all but ``nodejs_als``,
#: ``nodejs_zlib`` and the two Python ones): a tenant may name one only with a date
#: before its default date (``dynamic_workflows.core.flags.DEFAULT_FROM``).
ALLOWED_FLAGS = frozenset(
    {
        "nodejs_compat",
        "nodejs_compat_v2",
        "nodejs_als",
        "nodejs_zlib",
        "url_standard",
        "global_navigator",
        "rpc",
        "streams_enable_constructors",
        "transformstream_enable_standard_constructor",
        "http_headers_getsetcookie",
        "enable_weak_ref",
        "python_workflows",
        "python_workflows_implicit_dependencies",
    }
)


class UploadError(ValueError):
    """An upload that cannot be stored; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class TenantCode:
    """Normalised tenant code: every module as ``{type: content}``."""

    main_module: str
    modules: dict[str, dict[str, str]]
    compatibility_date: str
    compatibility_flags: tuple[str, ...]

    @property
    def is_python(self) -> bool:
        return self.main_module.endswith(".py")

    def to_json(self) -> str:
        return json.dumps(
            {
                "mainModule": self.main_module,
                "modules": self.modules,
                "compatibilityDate": self.compatibility_date,
                "compatibilityFlags": list(self.compatibility_flags),
            },
            sort_keys=True,
            separators=(",", ":"),
        )

    @property
    def version(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:20]

    @classmethod
    def from_json(cls, text: str) -> TenantCode:
        """Stored code, checked again; a flag its date enables (stored before that was
        refused) is dropped: it changes nothing, and Cloudflare would refuse to load it."""
        return parse_upload(json.loads(text), stored=True)


def load_failure(message: str, module_names: Iterable[str], *, limit: int = 300) -> str:
    """What workerd's error for code that did not load says about the tenant's code.

    The exception line (``SyntaxError: ...``, ``ValueError: ...``) and, when it
    names one of the tenant's own modules, where: never a stack frame or a path
    of the runtime or the dispatcher.
    """
    names = set(module_names)
    lines = [line.strip() for line in message.splitlines()]
    lines = [line for line in lines if line and not line.startswith(("at ", "Failed to start"))]
    what = (lines[-1] if lines else "unknown error").removeprefix("Uncaught ")
    where = None
    for line in reversed(message.splitlines()):
        if (py := _PY_FRAME.search(line)) and py.group(1) in names:
            where = f"{py.group(1)}, line {py.group(2)}"
            break
    if where is None:
        for line in message.splitlines():
            if (js := _JS_FRAME.fullmatch(line.strip())) and js.group(1) in names:
                where = f"{js.group(1)}:{js.group(2)}"
                break
    text = what if where is None else f"{what} ({where})"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_tenant_id(tenant: str) -> str:
    if not TENANT_ID.fullmatch(tenant):
        raise UploadError(
            f"tenant id {tenant[:80]!r} must be 1-63 lowercase letters, digits or '-', "
            "starting with a letter or digit."
        )
    return tenant


def parse_upload(body: Any, *, stored: bool = False) -> TenantCode:
    """Check an upload and return it normalised, or raise UploadError.

    ``stored``: code read back from storage, whose flags its date already enables
    are dropped instead of refused.
    """
    if not isinstance(body, dict):
        raise UploadError('the body must be a JSON object: {"mainModule": ..., "modules": {...}}.')
    unknown = set(body) - {"mainModule", "modules", "compatibilityDate", "compatibilityFlags"}
    if unknown:
        raise UploadError(
            f"unknown fields {sorted(unknown)}; allowed: mainModule, modules, "
            "compatibilityDate, compatibilityFlags."
        )
    main = body.get("mainModule")
    modules = body.get("modules")
    if not isinstance(modules, dict) or not modules:
        raise UploadError('"modules" must be a non-empty object of module name to code.')
    if len(modules) > MAX_MODULES:
        raise UploadError(f"at most {MAX_MODULES} modules, got {len(modules)}.")
    if not isinstance(main, str) or main not in modules:
        raise UploadError(f'"mainModule" must name one of the modules, got {main!r}.')
    normalised = {name: _module(name, content) for name, content in modules.items()}
    is_python = main.endswith(".py") and "py" in normalised[main]
    if not is_python and "js" not in normalised[main] and "cjs" not in normalised[main]:
        raise UploadError(f"main module {main!r} must be JavaScript (js, cjs) or Python (.py).")
    for name, module in normalised.items():
        if "py" in module and not is_python:
            raise UploadError(
                f"module {name!r} is Python, but the main module is JavaScript; "
                "Python modules need a Python main module."
            )
        if is_python and name.startswith(RESERVED_PREFIXES):
            raise UploadError(
                f"module {name!r} is under {name.split('/')[0]!r}/, which the dispatcher "
                "provides: leave it out of the upload."
            )
    size = sum(_size(module) for module in normalised.values())
    if size > MAX_CODE_BYTES:
        raise UploadError(f"code is {size} bytes; Worker Loader takes at most {MAX_CODE_BYTES}.")
    date = _date(body)
    flags = _flags(body)
    if stored:
        flags = tuple(f for f in flags if f not in dict(redundant_flags(flags, date)))
    else:
        check_flag_dates(flags, date)
    return TenantCode(main, normalised, date, flags)


def _module(name: object, content: object) -> dict[str, str]:
    if not isinstance(name, str) or len(name) > 256 or not _NAME.fullmatch(name) or ".." in name:
        raise UploadError(
            f"module name {name!r} must be a relative path of letters, digits, '_', '-', "
            "'.' and '/', without '..'."
        )
    if isinstance(content, str):
        if name.endswith((".js", ".mjs")):
            return {"js": content}
        if name.endswith(".py"):
            return {"py": content}
        raise UploadError(
            f"module {name!r}: a bare string needs a .js or .py name; otherwise give "
            f"{{type: content}} with type one of {', '.join(MODULE_TYPES)}."
        )
    if not isinstance(content, dict) or len(content) != 1:
        raise UploadError(f"module {name!r} must be a string or an object with exactly one type.")
    ((kind, value),) = content.items()
    if kind not in MODULE_TYPES:
        raise UploadError(
            f"module {name!r} has type {kind!r}; use one of {', '.join(MODULE_TYPES)}."
        )
    if kind == "json":
        if isinstance(value, str):
            try:
                json.loads(value)
            except ValueError as exc:
                raise UploadError(f"module {name!r}: json content does not parse: {exc}.") from None
        else:
            value = json.dumps(value)
    elif not isinstance(value, str):
        raise UploadError(f"module {name!r}: {kind} content must be a string.")
    elif kind in BINARY_TYPES:
        try:
            base64.b64decode(value, validate=True)
        except binascii.Error:
            raise UploadError(f"module {name!r}: {kind} content must be base64.") from None
    if kind == "py" and not name.endswith(".py"):
        raise UploadError(f"Python module {name!r} must end in .py.")
    return {kind: value}


def _size(module: dict[str, str]) -> int:
    """A module's size in bytes: UTF-8 for source and text, decoded bytes for base64."""
    ((kind, value),) = module.items()
    if kind in BINARY_TYPES:
        return len(value) // 4 * 3 - value[-2:].count("=")
    return len(value.encode())


def _date(body: dict[str, Any]) -> str:
    date = body.get("compatibilityDate", DEFAULT_COMPATIBILITY_DATE)
    if not isinstance(date, str) or not _DATE.fullmatch(date):
        raise UploadError(f'"compatibilityDate" must look like 2026-11-01, got {date!r}.')
    try:
        datetime.date.fromisoformat(date)
    except ValueError:
        raise UploadError(f'"compatibilityDate" {date!r} is not a date.') from None
    if date > DEFAULT_COMPATIBILITY_DATE:
        raise UploadError(
            f'"compatibilityDate" {date} is after the dispatcher\'s own '
            f"({DEFAULT_COMPATIBILITY_DATE}); use that date or an earlier one."
        )
    return date


def _flags(body: dict[str, Any]) -> tuple[str, ...]:
    flags = body.get("compatibilityFlags", [])
    if not isinstance(flags, list) or not all(
        isinstance(f, str) and _FLAG.fullmatch(f) for f in flags
    ):
        raise UploadError('"compatibilityFlags" must be a list of flag names like "nodejs_compat".')
    return check_flags(flags)


def check_flag_dates(flags: Iterable[str], date: str) -> None:
    """UploadError naming each flag ``date`` already enables, with the date it became one."""
    redundant = redundant_flags(flags, date)
    if redundant:
        named = ", ".join(f"{flag} (the default from {since})" for flag, since in redundant)
        raise UploadError(
            f"compatibility flags {named} are already on at compatibilityDate {date}: "
            "leave them out (Cloudflare refuses a worker that names a flag its "
            "compatibility date enables)."
        )


def check_flags(flags: Iterable[str]) -> tuple[str, ...]:
    """``flags`` sorted and deduplicated, or UploadError if one is not in ALLOWED_FLAGS."""
    flags = tuple(sorted(set(flags)))
    refused = [flag for flag in flags if flag not in ALLOWED_FLAGS]
    if refused:
        raise UploadError(
            f"compatibility flags {refused} are not available to tenants; "
            f"allowed: {', '.join(sorted(ALLOWED_FLAGS))}."
        )
    return flags
