"""A Python tenant: plain Python Workflows code, unaware it is dispatched."""

import json
from urllib.parse import unquote, urlparse

from workers import Response, WorkerEntrypoint, WorkflowEntrypoint

from dynamic_workflows import DynamicWorkflowsError, InstanceNotFoundError
from dynamic_workflows.tenant import Workflows

try:
    from workers.workflows import NonRetryableError
except ImportError:  # an SDK without it: the engine still refuses to retry by name

    class NonRetryableError(Exception):  # type: ignore[no-redef]
        pass


CODE_TAG = "v1"
ATTEMPTS: dict[str, int] = {}  # per instance, to show a retried step
RETRY = {"retries": {"limit": 3, "delay": "100 millisecond", "backoff": "constant"}}


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        params = event["payload"] or {}
        instance_id = event["instanceId"]

        @step.do("greet")
        async def greet():
            return f"Hello, {params.get('who', 'world')}!"

        greeting = await greet()

        if params.get("fail") == "fatal":

            @step.do("refuse")
            async def refuse():
                raise NonRetryableError(f"refused order for {params.get('who')}")

            await refuse()

        @step.do("flaky", config=RETRY)
        async def flaky():
            ATTEMPTS[instance_id] = ATTEMPTS.get(instance_id, 0) + 1
            if ATTEMPTS[instance_id] < 2:
                raise RuntimeError("transient failure, retried")
            return ATTEMPTS[instance_id]

        tries = await flaky()
        if params.get("sleep"):
            await step.sleep("nap", params["sleep"])
        approval = None
        if params.get("waitForEvent"):
            received = await step.wait_for_event("approval", "approval", timeout="1 hour")
            approval = received["payload"]

        @step.do("finish")
        async def finish():
            return CODE_TAG

        return {
            "tenant": "python",
            "codeTag": await finish(),
            "greeting": greeting,
            "tries": tries,
            "approval": approval,
            "event": {
                "payload": event["payload"],
                "instanceId": instance_id,
                "workflowName": event.get("workflowName"),
                "timestamp": str(event.get("timestamp")),
            },
        }


def _json(data, status=200):
    return Response(json.dumps(data), status=status, headers={"content-type": "application/json"})


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        try:
            return await self._handle(request)
        except InstanceNotFoundError as exc:
            return _json({"error": f"{type(exc).__name__}: {exc}"}, 404)
        except DynamicWorkflowsError as exc:  # bad input, refused before anything was created
            return _json({"error": f"{type(exc).__name__}: {exc}"}, 400)
        except Exception as exc:  # the engine's own refusals, e.g. instance.already_exists
            return _json({"error": str(exc)}, 500)

    async def _handle(self, request):
        workflows = Workflows(self.env.WORKFLOWS)
        parts = [p for p in urlparse(request.url).path.split("/") if p]
        body = json.loads(await request.text() or "null") if request.method == "POST" else None
        if not parts or parts[0] != "workflows":
            return _json({"error": "try POST /workflows"}, 404)
        if len(parts) == 1 and request.method == "POST":
            body = body or {}
            instance = await workflows.create(**{k: v for k, v in body.items()})
            return _json({"id": instance.id})
        if parts[1] == "batch" and request.method == "POST":
            instances = await workflows.create_batch(body)
            return _json({"ids": [i.id for i in instances]})
        instance = await workflows.get(unquote(parts[1]))
        if len(parts) == 2:
            return _json({"id": instance.id, **(await instance.status())})
        action = parts[2]
        if action == "event":
            await instance.send_event(body["type"], body.get("payload"))
        elif action in ("pause", "resume", "delete"):
            await getattr(instance, action)()
        elif action in ("terminate", "restart"):
            await getattr(instance, action)(**(body or {}))
        else:
            return _json({"error": f"unknown action {action}"}, 404)
        return _json({"id": instance.id, "done": action})
