"""A tenant's logs: what its code printed and threw, newest first, or followed as it comes."""

from __future__ import annotations

import sys
import time
from typing import Any

from ..client import AdminClient
from ..terminal import printable
from . import Result, arg, command
from .tenants import TENANT

#: How often ``logs --follow`` asks for newer entries.
FOLLOW_EVERY_S = 1.0


def line(entry: dict[str, Any]) -> str:
    """One entry as one line: time, level, instance (if known), then the text. What the
    tenant wrote is shown as text: a newline or an escape sequence in it is printed escaped,
    so it can neither forge a line nor act on the terminal."""
    where = f" [{entry['instance']}]" if entry.get("instance") else ""
    name = f"{entry['name']}: " if entry.get("name") else ""
    text = f"{entry['at']}  {entry['level']:<5} {entry['source']}{where}  {name}{entry['message']}"
    return printable(text)


@command(
    "logs",
    "show a tenant's logs (its console output, exceptions and failed runs), newest last",
    TENANT,
    arg("--instance", help="only the entries of this instance"),
    arg("--level", help="only these levels, comma-separated (debug,log,info,warn,error)"),
    arg("--limit", type=int, default=50, help="how many of the newest entries (1-200)"),
    arg("--follow", "-f", action="store_true", help="keep printing new entries (Ctrl-C stops)"),
)
def logs(client: AdminClient, args: Any) -> Result:
    filters = {"instance": args.instance or "", "level": args.level or ""}
    page = client.logs(args.tenant, limit=str(args.limit), **filters)
    entries = list(reversed(page["logs"]))  # oldest first, as a terminal reads
    if not args.follow:
        text = "\n".join(line(e) for e in entries) or f"{args.tenant}: nothing logged"
        return Result({"tenant": args.tenant, "logs": entries, "stored": page["stored"]}, text)
    for entry in entries:
        print(line(entry), flush=True)
    last = max((e["seq"] for e in entries), default=0)
    if not entries:  # start after whatever is there, filtered out or not
        newest = client.logs(args.tenant, limit="1")["logs"]
        last = newest[0]["seq"] if newest else 0
    try:
        while True:
            time.sleep(FOLLOW_EVERY_S)
            # The filters apply on the server: entries they hide are skipped, not re-read.
            newer = client.logs(args.tenant, after=str(last), limit="200", **filters)["logs"]
            for entry in newer:
                print(line(entry), flush=True)
                last = max(last, entry["seq"])
    except KeyboardInterrupt:
        print(file=sys.stderr)
    return Result({"tenant": args.tenant}, "")
