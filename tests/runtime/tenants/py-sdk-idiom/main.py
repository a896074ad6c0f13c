"""A Python tenant written for a plain Workflow binding, in the workers SDK's own idiom.

``/sdk/...`` calls ``self.env.WORKFLOWS`` as a normal Worker calls its Workflows
binding (``sdk_code`` uses nothing from dynamic_workflows); ``/facade/...`` runs the very same code
on ``dynamic_workflows.tenant.Workflows(self.env.WORKFLOWS)``.
"""

import json
from types import ModuleType
from urllib.parse import parse_qs, urlparse

from workers import Response, WorkerEntrypoint, WorkflowEntrypoint

import dynamic_workflows
from dynamic_workflows import development_runtime  # only for /runtime and /facade
from dynamic_workflows.runtime import tenant_env
from dynamic_workflows.tenant import Workflows


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        params = event["payload"] or {}

        @step.do("start")
        async def start():
            return params.get("who", "nobody")

        who = await start()
        approval = None
        if params.get("wait"):
            received = await step.wait_for_event("approval", "approval", timeout="1 hour")
            approval = received["payload"]
        return {"who": who, "approval": approval, "payload": event["payload"]}


async def caught(call):
    """The library class a call raised, as the tenant catches it (``except`` the base)."""
    try:
        await call()
    except dynamic_workflows.DynamicWorkflowsError as exc:
        return {"name": type(exc).__name__, "message": str(exc)}
    return {"name": None}


async def errors(workflows):
    """Each refusal a Python tenant can meet (js-errors runs the same, by the same ids)."""
    taken = await workflows.create({"id": "errors-taken", "params": {"wait": True}})

    async def past_the_quota():
        await workflows.create({"id": "errors-second", "params": {"wait": True}})
        await workflows.create({"id": "errors-third", "params": {}})

    batch = [{} for _ in range(101)]
    return {
        "InstanceAlreadyExistsError": await caught(
            lambda: workflows.create({"id": "errors-taken", "params": {}})
        ),
        "InstanceNotFoundError": await caught(lambda: workflows.get("nobody-here")),
        "InvalidInstanceIdError": await caught(lambda: workflows.get("-bad")),
        "InvalidCreateOptionsError": await caught(lambda: workflows.create("order-1")),
        "InvalidParamsError": await caught(
            lambda: workflows.create({"params": {"a": [1, float("nan")]}})
        ),
        "InvalidBatchError": await caught(lambda: workflows.create_batch(batch)),
        "InvalidEventError": await caught(lambda: taken.send_event({"type": "a b", "payload": 1})),
        "QuotaExceededError": await caught(past_the_quota),
    }


async def event_types(workflows, types):
    """send_event with each type of ``types``: accepted, or the library class it raised."""
    instance = await workflows.create({"params": {"wait": True}})
    results = []
    for event_type in types:
        event = {"type": event_type}
        results.append(await caught(lambda event=event: instance.send_event(event)))
    return results


async def sdk_code(workflows, action, query, body):
    """Plain SDK-idiom code: what a tenant of a normal Worker writes."""
    if action == "create":
        instance = await workflows.create({"id": query["id"], "params": body})
        return {"id": instance.id, "idType": type(instance.id).__name__}
    if action == "create-keywords":
        instance = await workflows.create(id=query["id"], params=body)
        return {"id": instance.id}
    if action == "errors":
        return await errors(workflows)
    if action == "event-types":
        return await event_types(workflows, body["types"])
    if action == "no-params":
        instance = await workflows.create({"id": query["id"]})
        return {"id": instance.id}
    if action == "create-batch":
        instances = await workflows.create_batch([{"id": i, "params": body} for i in query["ids"]])
        return {"ids": [instance.id for instance in instances]}
    instance = await workflows.get(query["id"])
    if action == "send-event":
        await instance.send_event({"type": "approval", "payload": body})
        return {"id": instance.id}
    if action == "status":
        status = await instance.status()
        return {"isDict": isinstance(status, dict), "status": status["status"], **status}
    raise ValueError(action)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlparse(request.url)
        idiom, action = url.path.strip("/").split("/")
        query = {k: v[0] if k != "ids" else v[0].split(",") for k, v in parse_qs(url.query).items()}
        body = json.loads(await request.text() or "null") if request.method == "POST" else None
        if idiom == "runtime" and action == "force-hook-fallback":
            # The hook's guard, given an SDK without the names it patches.
            tenant_env.patch(ModuleType(tenant_env.SDK_RPC))
            return Response.json({"details": dynamic_workflows.private_details()})
        if idiom == "runtime":
            return Response.json(
                {
                    "bindingIsTheLibrarysWorkflows": isinstance(self.env.WORKFLOWS, Workflows),
                    "developmentRuntime": development_runtime(),
                }
            )
        workflows = self.env.WORKFLOWS
        if idiom == "facade":
            workflows = Workflows(self.env.WORKFLOWS)
        try:
            return Response.json(await sdk_code(workflows, action, query, body))
        except Exception as exc:
            return Response.json({"error": f"{type(exc).__name__}: {exc}"}, status=500)
