"""dwctl's commands: one registry, filled by the modules below as they are imported.

A command is a function ``run(client, args) -> Result`` registered with
``@command(name, help, arg(...), ...)``; ``arg`` takes ``argparse``'s
``add_argument`` arguments. To add commands, write a module here that uses
``command`` and import it at the end of this file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..client import AdminClient, AdminError


@dataclass(frozen=True)
class Result:
    """What a command answers: ``data`` (printed as JSON with ``--json``) and ``text``
    for a person (``data`` as JSON when empty); ``exit_code`` 1 for a failed check."""

    data: Any
    text: str = ""
    exit_code: int = 0


Run = Callable[[AdminClient, Any], Result]


@dataclass(frozen=True)
class Arg:
    names: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    args: tuple[Arg, ...]
    run: Run


COMMANDS: dict[str, Command] = {}


def arg(*names: str, **options: Any) -> Arg:
    """One argument of a command, as ``ArgumentParser.add_argument(*names, **options)``."""
    return Arg(names, options)


def confirmed(help: str) -> Arg:
    """The ``--yes`` of a command that cannot be undone (see ``require_yes``)."""
    return arg("--yes", action="store_true", help=f"confirm: {help}")


def require_yes(args: Any, what: str) -> None:
    """Refuse (on stderr, exit code 1) before calling anything, unless ``--yes`` was given."""
    if not args.yes:
        raise AdminError(f"{what}: add --yes")


def command(name: str, help: str, *args: Arg) -> Callable[[Run], Run]:
    """Register ``run`` as the command ``name``."""

    def register(run: Run) -> Run:
        if name in COMMANDS:
            raise ValueError(f"dwctl command {name!r} is registered twice")
        COMMANDS[name] = Command(name, help, args, run)
        return run

    return register


from . import instances, logs, status, tenants  # noqa: E402, F401  (they register their commands)
