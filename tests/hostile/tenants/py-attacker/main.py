"""A hostile Python tenant: it lists what the binding's class exposes and probes the errors."""

import json
from urllib.parse import parse_qs, urlparse

from workers import Response, WorkerEntrypoint, WorkflowEntrypoint

import dynamic_workflows
from dynamic_workflows import RpcSurface
from dynamic_workflows.tenant import Workflows


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        return {"payload": event["payload"]}


def binding_names():
    """Every name of the binding entrypoint's class, of the object it builds, and their bases."""
    classes = (dynamic_workflows.DynamicWorkflowBinding, RpcSurface)
    return sorted({name for cls in classes for klass in cls.__mro__ for name in dir(klass)})


async def caught(call):
    """The library class an awaited call raised, as a Python tenant catches it."""
    try:
        await call()
    except dynamic_workflows.DynamicWorkflowsError as exc:
        return {"class": type(exc).__name__, "message": str(exc)}
    except Exception as exc:  # reported, not hidden: the test fails on it
        return {"class": f"unexpected {type(exc).__name__}", "message": str(exc)}
    return {"class": None, "message": None}


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlparse(request.url)
        path, query = url.path, parse_qs(url.query)
        workflows = Workflows(self.env.WORKFLOWS)
        if path == "/names":
            return Response(json.dumps(binding_names()))
        if path == "/errors":
            taken = query["id"][0]
            await workflows.create(id=taken, params={})
            errors = {
                "not-found": await caught(lambda: workflows.get("nobody-here")),
                "duplicate": await caught(lambda: workflows.create(id=taken, params={})),
                "bad-id": await caught(lambda: workflows.create(id="-bad", params={})),
                "bad-params": await caught(lambda: workflows.create(params={"n": float("nan")})),
            }
            return Response(json.dumps(errors))
        return Response(json.dumps({"error": f"no route {path}"}), status=404)
