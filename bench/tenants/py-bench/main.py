"""The benchmark tenant in Python: the same workflow and routes as js-bench."""

import json
from urllib.parse import parse_qs, urlparse

from js import Date
from workers import Response, WorkerEntrypoint, WorkflowEntrypoint

from dynamic_workflows.tenant import Workflows

FINAL = {"complete", "errored", "terminated"}


def _returning(value):
    """A step body returning ``value`` (step.do reads a body's parameters as dependencies)."""

    async def body():
        return value

    return body


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        steps = (event["payload"] or {}).get("steps", 1)
        last = None
        for i in range(steps):
            last = await step.do(f"step-{i}")(_returning(i))()
        return {"steps": steps, "last": last}


def _json(data, status=200):
    return Response(json.dumps(data), status=status, headers={"content-type": "application/json"})


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        workflows = Workflows(self.env.WORKFLOWS)
        url = urlparse(request.url)
        route = url.path.rstrip("/").rsplit("/", 1)[-1]
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = json.loads(await request.text() or "{}") if request.method == "POST" else {}
        if route == "create":
            instance = await workflows.create(**body)
            return _json({"id": instance.id})
        if route == "get":
            instance = await workflows.get(query["id"])
            return _json({"id": instance.id})
        if route == "status":
            instance = await workflows.get(query["id"])
            return _json(await instance.status())
        # Date.now() advances only across I/O inside a request, which is all these loops wait on.
        start = Date.now()
        if route == "creates":
            for _ in range(body["n"]):
                await workflows.create(params=body.get("params"))
            return _json({"ms": Date.now() - start, "n": body["n"]})
        if route == "create-to-complete":
            instance = await workflows.create(params={"steps": body.get("steps", 1)})
            polls = 0
            while True:
                status = await instance.status()
                polls += 1
                if status["status"] in FINAL:
                    return _json(
                        {"ms": Date.now() - start, "status": status["status"], "polls": polls}
                    )
        return _json({"error": f"unknown route {url.path}"}, 404)
