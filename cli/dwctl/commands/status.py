"""What runs in the dispatcher, and whether it is healthy."""

from __future__ import annotations

from typing import Any

from ..client import AdminClient
from . import Result, arg, command

#: What each of the status's ``devOnly`` switches is, for the health's lines.
DEV_ONLY = {
    "debugRoutes": "the test-only /admin/debug routes (DW_DEBUG_ROUTES)",
    "wakeRoute": "the dev runtime's wake route (DW_DEV_WAKE)",
    "uploadProbe": "a local upload-probe process (DW_UPLOAD_PROBE_URL)",
}


@command("status", "what runs: library, Python, SDK versions, shards, private details")
def status(client: AdminClient, args: Any) -> Result:
    return Result(client.status())


@command(
    "health",
    "check the dispatcher answers, takes the token, binds every shard, runs on every "
    "private detail and has no dev-only switch on (exit code 1 when not)",
    arg("--dev", action="store_true", help="accept dev-only switches (a local dev server)"),
)
def health(client: AdminClient, args: Any) -> Result:
    answer = client.status()  # reachable, a dispatcher, the token accepted, or AdminError
    lines = [
        f"ok    {client.url} answers with the token: dynamic-workflows "
        f"{answer['library']['version']} on Python {answer['runtime']['python']}, "
        f"SDK {answer['runtime']['sdk']['version']}"
    ]
    failed = False
    for shard in answer["shards"]:
        if shard["bound"]:
            lines.append(f"ok    shard {shard['binding']} is bound")
        else:
            failed = True
            lines.append(f"FAIL  shard {shard['binding']} is not bound: add it to wrangler.jsonc")
    for detail in answer["privateDetails"]:
        if detail["inUse"] is True:
            lines.append(f"ok    {detail['name']} in use")
        else:
            failed = True
            lines.append(
                f"FAIL  {detail['name']} not in use ({detail['reason']}): {detail['fallback']}"
            )
    for name, on in answer["devOnly"].items():
        what = DEV_ONLY.get(name, name)
        if not on:
            lines.append(f"ok    dev-only {name} is off")
        elif args.dev:
            lines.append(f"ok    dev-only {name} is on (accepted with --dev): {what}")
        else:
            failed = True
            lines.append(f"FAIL  dev-only {name} is on: {what}; unset it where you deploy")
    return Result(answer, "\n".join(lines), exit_code=1 if failed else 0)
