"""Instances: a tenant's, newest first, one by its id, and the operator's actions on them."""

from __future__ import annotations

from typing import Any

from ..client import AdminClient
from . import Result, arg, command, confirmed, require_yes
from .tenants import TENANT

INSTANCE_ID = arg("id", help="the instance id, as the tenant knows it")


@command(
    "instances",
    "list a tenant's instances, newest first, with the engine's status now",
    TENANT,
    arg("--status", help="only these statuses, comma-separated (e.g. running,waiting)"),
    arg("--limit", type=int, default=20, help="how many (1-100; with --all, per page)"),
    arg("--all", action="store_true", help="every page, not just the first"),
)
def instances(client: AdminClient, args: Any) -> Result:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.instances(args.tenant, status=args.status, limit=args.limit, cursor=cursor)
        found += page["instances"]
        cursor = page["nextCursor"]
        if cursor is None or not args.all:
            break
    lines = [
        f"{row['createdAt']}  {row['status']:<10}  {row['id']}  (version {row['codeVersion']})"
        for row in found
    ]
    if cursor is not None:
        lines.append(f"... more: --all, or the next page from cursor {cursor}")
    data = {"tenant": args.tenant, "instances": found, "nextCursor": cursor}
    return Result(data, "\n".join(lines) if lines else f"{args.tenant}: no instances")


@command(
    "instance",
    "show one of a tenant's instances: its status, output or error, engine id and shard",
    TENANT,
    INSTANCE_ID,
)
def instance(client: AdminClient, args: Any) -> Result:
    return Result(client.instance(args.tenant, args.id))


def _action(action: str, help: str) -> None:
    @command(action, help, TENANT, INSTANCE_ID)
    def run(client: AdminClient, args: Any) -> Result:
        shown = client.act(args.tenant, args.id, action)
        return Result(shown, f"{args.tenant}/{args.id}: {action} done, now {shown['status']}")


_action("pause", "pause one of a tenant's instances")
_action("resume", "resume one of a tenant's paused instances")
_action("terminate", "terminate one of a tenant's instances")
_action("restart", "restart one of a tenant's instances from the beginning")


@command(
    "terminate-unfinished",
    "terminate every unfinished instance of a tenant",
    TENANT,
    confirmed("this stops all of the tenant's work"),
)
def terminate_unfinished(client: AdminClient, args: Any) -> Result:
    require_yes(args, f"this terminates every unfinished instance of {args.tenant!r}")
    answer = client.terminate_unfinished(args.tenant)
    return Result(answer, f"{args.tenant}: {answer['terminated']} instance(s) terminated")
