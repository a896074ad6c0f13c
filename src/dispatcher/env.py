"""The dispatcher's bindings as the runtime gives them (raw JavaScript objects).

One place for every module that needs ``env`` outside a request handler's
arguments: the run loader, the index's admission hook.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from workers import import_from_javascript


def raw_env() -> Any:
    """The raw JavaScript env (bindings as the runtime gives them)."""
    return workers_module().env


@cache
def workers_module() -> Any:
    """``cloudflare:workers`` (its ``env``, and ``exports``: the ctx.exports loopbacks)."""
    return import_from_javascript("cloudflare:workers")
