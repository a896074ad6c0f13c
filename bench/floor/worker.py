"""The floor: an empty fetch, on the dispatcher's raw path (an RpcSurface, no conversions).

bench/floor.py times this worker's isolate per request next to the dispatcher's routing: the
difference is what routing itself costs; this is what any Python entrypoint call costs.
"""

from typing import Any, cast

from js import Response
from workers import WorkerEntrypoint

from dynamic_workflows import RpcSurface, raw_rpc_arguments


async def _fetch(_request: Any, *_: Any) -> Any:
    return Response.new("floor")


_SURFACE = RpcSurface({"fetch": _fetch})


class Default(WorkerEntrypoint):
    def __new__(cls, ctx: Any, env: Any = None) -> "Default":
        raw_rpc_arguments()
        return cast(Default, _SURFACE)
