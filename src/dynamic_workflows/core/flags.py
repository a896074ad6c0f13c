"""The compatibility flags this project touches, and the date each became the default.

workerd compiles a worker's flags against its compatibility date and, for a flag
the date already enables, reports "The compatibility flag X became the default
as of D so does not need to be specified anymore." ``wrangler dev`` prints it as
a warning; workerd releases before 2026-08-19 (workerd #6980) refused such a
worker outright, and an older Cloudflare runtime may still. So no config and no
tenant upload here names a flag its date enables, and the dispatcher refuses
such an upload in those words (``dispatcher/uploads.py``).

One flag is the exception, for dynamic workers only: Worker Loader adds
``disable_python_external_sdk`` to every Python worker whose code does not name
``enable_python_external_sdk`` (workerd ``src/workerd/api/worker-loader.c++``,
``toDynamicWorkerSource``), whatever its date, and drops the "became the
default" warning for dynamic workers. A Python tenant therefore names it at
every date (``PYTHON_DYNAMIC_WORKER_FLAGS``); ``tests/runtime/test_loader.py``
fails if the tenant then runs without the vendored SDK.

``DEFAULT_FROM`` is read from ``src/workerd/io/compatibility-date.capnp`` of the
pinned workerd (``$compatEnableDate``); ``tests/platform/test_flag_dates.py``
probes the real binary for every entry and fails when it disagrees. A flag that
no date enables (``python_workers``, experimental and disable flags, flags only
implied by another flag after a date) maps to None: naming it never warns.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

#: The workerd release the dates were read from and are tested against.
WORKERD_VERSION = "1.20261117.1"

#: flag -> the compatibility date from which it is on without being named (None: no date).
DEFAULT_FROM: Mapping[str, str | None] = {
    # The dispatcher's and the tenants' runtime.
    "python_workers": None,  # implied only by python_workers_development
    "enable_python_external_sdk": "2026-04-21",  # the SDK vendored into the worker
    "enhanced_error_serialization": "2026-04-21",  # custom error names survive RPC
    "enable_ctx_exports": "2025-11-17",
    "python_no_global_handlers": "2025-08-14",
    # The offline development runtime's flags (never in a deployable config).
    "python_workers_development": None,  # experimental
    "experimental": None,  # experimental
    "disable_python_dedicated_snapshot": None,  # a disable flag
    # The tenant upload allowlist (dispatcher/uploads.py ALLOWED_FLAGS).
    "nodejs_compat": "2026-08-04",
    "nodejs_compat_v2": "2026-08-04",
    "nodejs_als": None,
    "nodejs_zlib": None,  # implied by nodejs_compat from 2024-09-23
    "url_standard": "2022-10-31",
    "global_navigator": "2022-03-21",
    "rpc": "2024-04-03",
    "streams_enable_constructors": "2022-11-30",
    "transformstream_enable_standard_constructor": "2022-11-30",
    "http_headers_getsetcookie": "2023-03-01",
    "enable_weak_ref": "2025-05-05",
    "python_workflows": None,  # implied by python_workers from 2025-09-20
    "python_workflows_implicit_dependencies": None,  # implied by python_workers from 2026-02-25
}


#: What a Python dynamic worker names at every date (see above): Python, on the vendored SDK.
PYTHON_DYNAMIC_WORKER_FLAGS = ("python_workers", "enable_python_external_sdk")


class UnknownFlagError(KeyError):
    """A flag missing from DEFAULT_FROM: add it (with its date from the pinned workerd)."""


def default_from(flag: str) -> str | None:
    """The date from which ``flag`` is on by default, None if no date turns it on."""
    try:
        return DEFAULT_FROM[flag]
    except KeyError:
        raise UnknownFlagError(
            f"compatibility flag {flag!r} is not in dynamic_workflows.core.flags.DEFAULT_FROM: "
            f"add it with the date workerd {WORKERD_VERSION} makes it the default (or None)"
        ) from None


def enabled_by_date(flag: str, compatibility_date: str) -> bool:
    """True when ``compatibility_date`` already turns ``flag`` on (naming it is refused)."""
    since = default_from(flag)
    return since is not None and _date(compatibility_date) >= _date(since)


def redundant_flags(flags: Iterable[str], compatibility_date: str) -> list[tuple[str, str]]:
    """``(flag, date)`` for each known flag the date already enables, in the given order.

    Flags not in the table are not judged here (the caller decides what to allow).
    """
    found = []
    for flag in flags:
        since = DEFAULT_FROM.get(flag)
        if since is not None and _date(compatibility_date) >= _date(since):
            found.append((flag, since))
    return found


def needed_flags(flags: Iterable[str], compatibility_date: str) -> list[str]:
    """``flags`` without those ``compatibility_date`` already enables (order kept, no repeats)."""
    return [flag for flag in dict.fromkeys(flags) if not enabled_by_date(flag, compatibility_date)]


class RedundantFlagError(ValueError):
    """A worker names a flag its compatibility date already enables; the message says which."""


def dynamic_worker_flags(
    requested: Iterable[str], compatibility_date: str, *, python: bool, extra: Iterable[str] = ()
) -> list[str]:
    """The ``compatibilityFlags`` of a dynamic worker: ``requested``, with
    ``PYTHON_DYNAMIC_WORKER_FLAGS`` for a Python one and ``extra`` (the development
    runtime's), sorted. RedundantFlagError when any of them but the Python ones is a
    flag ``compatibility_date`` already enables (local workerd would load it silently).
    """
    flags = dict.fromkeys(requested)
    if python:
        flags.update(dict.fromkeys(PYTHON_DYNAMIC_WORKER_FLAGS))
    flags.update(dict.fromkeys(extra))
    exempt = PYTHON_DYNAMIC_WORKER_FLAGS if python else ()
    redundant = [(f, d) for f, d in redundant_flags(flags, compatibility_date) if f not in exempt]
    if redundant:
        raise RedundantFlagError(
            f"compatibility flags at {compatibility_date}: "
            + " ".join(redundancy_message(flag, since) for flag, since in redundant)
            + " Leave them out: older Cloudflare runtimes refuse such a worker."
        )
    return sorted(flags)


def redundancy_message(flag: str, since: str) -> str:
    """What workerd says (a warning in ``wrangler dev``; an error before workerd #6980)."""
    return (
        f"The compatibility flag {flag} became the default as of {since} "
        "so does not need to be specified anymore."
    )


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"compatibility date {text!r} must look like 2026-11-01") from None
