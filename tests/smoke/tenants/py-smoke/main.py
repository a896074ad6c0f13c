"""The smoke suite's Python tenant: the same Workflow and routes as js-smoke, in Python."""

import json
from urllib.parse import unquote, urlparse

from workers import Response, WorkerEntrypoint, WorkflowEntrypoint

from dynamic_workflows import DynamicWorkflowsError, InstanceNotFoundError, QuotaExceededError
from dynamic_workflows.tenant import Workflows

CODE_TAG = "v1"


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        params = event["payload"] or {}

        @step.do("greet")
        async def greet():
            return f"Hello, {params.get('who', 'world')}!"

        greeting = await greet()
        approval = None
        if params.get("waitForEvent"):
            received = await step.wait_for_event("approval", "approval", timeout="1 hour")
            approval = received["payload"]

        @step.do("finish")
        async def finish():
            return CODE_TAG

        return {
            "kind": "py",
            "greeting": greeting,
            "approval": approval,
            "codeTag": await finish(),
            "instanceId": event["instanceId"],
        }


def _json(data, status=200):
    return Response(json.dumps(data), status=status, headers={"content-type": "application/json"})


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        try:
            return await self._handle(request)
        except DynamicWorkflowsError as exc:
            status = 429 if isinstance(exc, QuotaExceededError) else 400
            status = 404 if isinstance(exc, InstanceNotFoundError) else status
            return _json({"name": type(exc).__name__, "error": str(exc)}, status)

    async def _handle(self, request):
        workflows = Workflows(self.env.WORKFLOWS)
        parts = [p for p in urlparse(request.url).path.split("/") if p]
        body = json.loads(await request.text() or "null") if request.method == "POST" else None
        if not parts or parts[0] != "workflows":
            return _json({"error": "try /workflows"}, 404)
        if len(parts) == 1 and request.method == "POST":
            instance = await workflows.create(**(body or {}))
            return _json({"id": instance.id})
        instance = await workflows.get(unquote(parts[1]))
        if len(parts) == 2:
            return _json({"id": instance.id, **(await instance.status())})
        if parts[2] == "event":
            await instance.send_event(body["type"], body.get("payload"))
        return _json({"id": instance.id, "done": parts[2]})
