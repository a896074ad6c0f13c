"""``dwctl``: the command line. ``dwctl --help`` lists the commands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from . import __version__
from .client import TOKEN_VARIABLE, URL_VARIABLE, AdminClient, AdminError
from .code import TenantFolderError
from .commands import COMMANDS, Result
from .terminal import printable


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="dwctl",
        description=(
            "Operate a deployed dynamic-workflows dispatcher through its admin API. "
            f"{URL_VARIABLE} names the dispatcher (its admin URL), {TOKEN_VARIABLE} holds "
            "its ADMIN_TOKEN secret."
        ),
    )
    top.add_argument("--url", help=f"the dispatcher's URL (default: ${URL_VARIABLE})")
    top.add_argument("--json", action="store_true", help="print the API's JSON answer")
    top.add_argument("--version", action="version", version=f"dwctl {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, spec in COMMANDS.items():
        sub = commands.add_parser(name, help=spec.help, description=spec.help)
        for argument in spec.args:
            sub.add_argument(*argument.names, **argument.options)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        with AdminClient.from_environment(url=args.url) as client:
            result = COMMANDS[args.command].run(client, args)
    except (AdminError, TenantFolderError) as exc:
        print(printable(f"dwctl {args.command}: {exc}", newlines=True), file=sys.stderr)
        return 1
    print(printable(render(result, as_json=args.json), newlines=True))
    return result.exit_code


def render(result: Result, *, as_json: bool = False) -> str:
    if as_json or not result.text:
        return json.dumps(result.data, indent=2, sort_keys=True)
    return result.text


if __name__ == "__main__":
    sys.exit(main())
