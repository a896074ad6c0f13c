"""A test tenant: Python values through the facade, and back out of the run."""

import datetime
import json
from urllib.parse import parse_qs, urlparse

from vectors import Unbuildable, build
from workers import Response, WorkerEntrypoint, WorkflowEntrypoint, fetch

from dynamic_workflows import DynamicWorkflowsError, wrap_workflow_binding
from dynamic_workflows.tenant import Workflows

VALUES = {
    "none": None,
    "nested": {"list": [1, None, {"deep": [True, False, 1.5]}], "empty": {}},
    "when": datetime.datetime(2026, 11, 24, 12, 30, 5),
    "text": "héllo ☃ 𝄞 日本",
    "large": "x" * 500_000,
}
#: JSON data only (no datetime): these params take the JSON path to JavaScript.
JSON_VALUES = {
    "floats": [0.1, 1.5, 1e16, 1e-7, 1e300, -0.0],
    "ints": [0, -1, 2**52 + 1, -(2**52 + 1)],
    "text": 'héllo ☃ 𝄞 日本 \t\n\u0001 "quoted" \\',
    "none": None,
    "nested": {"list": [1, None, {"deep": [True, False]}], "empty": {}, "": "empty key"},
}


async def vectors(workflows, body):
    """Each case of tests/vectors/params.json Python can build, created: what happened."""
    results = {}
    for vector in body["cases"]:
        try:
            params = build(vector["value"], body["limit"])
        except Unbuildable:
            continue
        options = {"id": f"v-{vector['name']}-{body['idiom']}", "params": params}
        try:
            instance = await workflows.create(options)
            results[vector["name"]] = {"ok": True, "id": instance.id}
        except DynamicWorkflowsError as exc:
            results[vector["name"]] = {"ok": False, "name": type(exc).__name__, "message": str(exc)}
        except Exception as exc:  # reported, not hidden: the test fails on it
            name = f"unexpected {type(exc).__name__}"
            results[vector["name"]] = {"ok": False, "name": name, "message": str(exc)}
    return results


def describe(value):
    """Type and value of each param, as the run saw it."""
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [describe(v) for v in value]
    if isinstance(value, str) and len(value) > 100:
        return ["str", len(value)]
    if isinstance(value, datetime.datetime):
        return ["datetime", value.isoformat()]
    return [type(value).__name__, value]


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        return describe(dict(event["payload"]))


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        workflows = Workflows(self.env.WORKFLOWS)
        path = urlparse(request.url).path
        if path == "/outbound":  # the tenant's own fetch, to ?url=...
            target = parse_qs(urlparse(request.url).query)["url"][0]
            try:
                response = await fetch(target)
            except Exception as exc:
                return Response(json.dumps({"reached": False, "error": str(exc)}))
            return Response(json.dumps({"reached": True, "status": response.status}))
        if path == "/vectors":
            body = json.loads(await request.text())
            binding = self.env.WORKFLOWS if body["idiom"] == "sdk" else workflows
            return Response(json.dumps(await vectors(binding, body)))
        if path == "/wrap-here":  # a worker that does not export DynamicWorkflowBinding
            try:
                wrap_workflow_binding({"tenantId": "x"})
            except DynamicWorkflowsError as exc:
                return Response(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), status=400)
            return Response(json.dumps({"wrapped": True}))
        if path.startswith("/workflows/"):  # the tests' status polls
            instance = await workflows.get(path.removeprefix("/workflows/"))
            return Response(json.dumps({"id": instance.id, **(await instance.status())}))
        if path == "/json-values":
            instance = await workflows.create(id="json-values-1", params=JSON_VALUES)
            return Response(json.dumps({"id": instance.id}))
        if path == "/huge-int":
            try:
                await workflows.create(params={"n": 2**60 + 1})
            except DynamicWorkflowsError as exc:
                return Response(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), status=400)
            return Response(json.dumps({"created": True}))
        instance = await workflows.create(id="values-1", params=VALUES)
        return Response(json.dumps({"id": instance.id}))
