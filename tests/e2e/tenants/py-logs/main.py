"""A Python tenant that prints and raises on request: its lines must reach its own logs."""

import json
from urllib.parse import parse_qs, urlparse

from workers import Response, WorkerEntrypoint, WorkflowEntrypoint
from workers.workflows import NonRetryableError

from dynamic_workflows.tenant import Workflows


class PaymentDeclined(Exception):
    pass


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        params = event["payload"] or {}
        print(f"run {event['instanceId']} says {params.get('say')}")

        @step.do("one")
        async def one():
            print(f"step one of {event['instanceId']}")
            return 1

        await one()
        if params.get("fail"):

            @step.do("fail")
            async def fail():
                raise NonRetryableError(params["fail"])

            await fail()
        if params.get("raise"):
            raise PaymentDeclined(params["raise"])
        return {"said": params.get("say")}


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlparse(request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = [p for p in url.path.split("/") if p]
        if parts and parts[0] == "log":
            lines = int(query.get("lines", "1"))
            for i in range(lines):
                print(query.get("text", "") if lines == 1 else f"{query.get('text', '')} {i}")
            return Response.json({"logged": lines})
        if parts and parts[0] == "throw":
            raise RuntimeError(f"py fetch threw {query.get('text', '')}")
        workflows = Workflows(self.env.WORKFLOWS)
        if parts and parts[0] == "workflows" and request.method == "POST":
            instance = await workflows.create(**json.loads(await request.text()))
            return Response.json({"id": instance.id})
        if parts and parts[0] == "workflows":
            instance = await workflows.get(parts[1])
            return Response.json({"id": instance.id, **(await instance.status())})
        return Response.json({"error": "not found"}, status=404)
