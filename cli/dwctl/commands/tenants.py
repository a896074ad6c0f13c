"""Tenants: upload from a folder, list, show versions, roll back, delete, quotas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..client import AdminClient, AdminError
from ..code import upload_body
from . import Result, arg, command, confirmed, require_yes

TENANT = arg("tenant", help="the tenant's id (lowercase letters, digits, '-')")


@command(
    "upload",
    "upload a tenant's code from a folder (checked, loaded once, then made current)",
    TENANT,
    arg("folder", type=Path, help="the tenant's folder: index.js or main.py and its modules"),
    arg("--main", help="the main module, if not index.js or main.py"),
    arg("--compatibility-date", help="the tenant's compatibility date (the dispatcher's if unset)"),
    arg("--flag", action="append", default=[], help="a compatibility flag (repeatable)"),
)
def upload(client: AdminClient, args: Any) -> Result:
    body = upload_body(
        args.folder,
        main_module=args.main,
        compatibility_date=args.compatibility_date,
        compatibility_flags=args.flag,
    )
    version = client.upload(args.tenant, body)
    count = len(body["modules"])
    return Result(
        {"tenant": args.tenant, "version": version},
        f"{args.tenant}: version {version} is current ({count} modules from {args.folder})",
    )


@command("tenants", "list every tenant: shard, version, unfinished instances, quota")
def tenants(client: AdminClient, args: Any) -> Result:
    found = client.tenants()
    lines = [
        f"{t['tenant']}  {t['shard']}  {t['version']}  unfinished {t['unfinished']}  "
        f"quota {t['quota']['creates_per_second']}/s burst {t['quota']['burst']} "
        f"max {t['quota']['max_unfinished']}"
        for t in found
    ]
    return Result({"tenants": found}, "\n".join(lines) if lines else "(no tenants)")


@command("versions", "show a tenant's versions, oldest first, and which is current", TENANT)
def versions(client: AdminClient, args: Any) -> Result:
    info = client.tenant(args.tenant)
    lines = [f"{args.tenant}: shard {info['shard']}, identity {info['uid']}"]
    for entry in info.get("history", []):
        mark = "  <- current" if entry["version"] == info["version"] else ""
        lines.append(f"  {entry['uploaded']}  {entry['version']}{mark}")
    return Result(info, "\n".join(lines))


@command(
    "rollback",
    "make an earlier version of a tenant current again (new instances and requests use it)",
    TENANT,
    arg("version", help="the version, or a prefix of it that only one version has"),
)
def rollback(client: AdminClient, args: Any) -> Result:
    known = client.tenant(args.tenant)["versions"]
    matches = [version for version in known if version.startswith(args.version)]
    if len(matches) != 1:
        found = "no version" if not matches else f"{len(matches)} versions"
        raise AdminError(
            f"{found} of tenant {args.tenant!r} start with {args.version!r}; "
            f"its versions: {', '.join(known)}"
        )
    answer = client.roll_back(args.tenant, matches[0])
    return Result(
        answer, f"{args.tenant}: version {answer['version']} is current (was {answer['previous']})"
    )


@command(
    "delete",
    "delete a tenant: terminate its unfinished instances, remove its code and identity",
    TENANT,
    confirmed("this cannot be undone"),
)
def delete(client: AdminClient, args: Any) -> Result:
    require_yes(args, f"deleting tenant {args.tenant!r} cannot be undone")
    answer = client.delete(args.tenant)
    return Result(
        answer,
        f"{args.tenant}: deleted {answer['deletedVersions']} versions, terminated "
        f"{answer['terminatedInstances']} instances",
    )


@command(
    "quota",
    "show a tenant's quota (and unfinished instances); with options, set them",
    TENANT,
    arg("--creates-per-second", type=float, help="token bucket refill rate"),
    arg("--burst", type=int, help="token bucket size"),
    arg("--max-unfinished", type=int, help="queued, running, waiting or paused instances"),
)
def quota(client: AdminClient, args: Any) -> Result:
    fields = {
        name: value
        for name, value in (
            ("creates_per_second", args.creates_per_second),
            ("burst", args.burst),
            ("max_unfinished", args.max_unfinished),
        )
        if value is not None
    }
    return Result(client.quota(args.tenant, **fields))
