"""What runs in the dispatcher, and whether it is healthy."""

from __future__ import annotations

from typing import Any

from ..client import AdminClient
from . import Result, command


@command("status", "what runs: library, Python, SDK versions, shards, private details")
def status(client: AdminClient, args: Any) -> Result:
    return Result(client.status())


@command(
    "health",
    "check the dispatcher answers, takes the token, binds every shard and runs on every "
    "private detail (exit code 1 when not)",
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
    return Result(answer, "\n".join(lines), exit_code=1 if failed else 0)
