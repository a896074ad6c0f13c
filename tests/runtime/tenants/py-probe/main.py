"""A test tenant: Python values through the facade, and back out of the run."""

import datetime
import json
from urllib.parse import parse_qs, urlparse

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


def fallback_refusals():
    """The Python params checks (no native.mjs in a tenant's bundle) on JavaScript values."""
    import js  # noqa: PLC0415 - only this route builds JS values
    from pyodide.ffi import create_proxy, to_js  # noqa: PLC0415

    from dynamic_workflows.runtime import measure, native  # noqa: PLC0415

    def holding(key, value):
        params = js.Object.new()
        setattr(params, key, value)
        return params

    called = []  # serialising {toJSON: f} calls f: the checks must refuse it before that

    def shared_object():
        address = js.Object.new()
        address.street = "Main St 1"
        params = holding("billing", address)
        params.shipping = address
        return params

    def shared_blowup():  # thirty nested pairs of one 1 KB object: 2**30 copies as JSON
        level = holding("s", "x" * 1000)
        for _ in range(30):
            level = to_js([level, level])
        return holding("level", level)

    def with_to_json():
        inner = js.Object.new()
        inner.toJSON = create_proxy(lambda *_: called.append(1) or "x")
        return holding("a", inner)

    cases = {
        "nan": lambda: holding("a", float("nan")),
        "bigint": lambda: holding("n", js.BigInt(5)),
        "map": lambda: holding("m", js.Map.new(to_js([["a", 1]]))),
        "set": lambda: holding("s", js.Set.new(to_js([1]))),
        "regexp": lambda: holding("r", js.RegExp.new("x")),
        "typed-array": lambda: holding("t", js.Uint8Array.new(2)),
        "undefined": lambda: holding("u", None),
        "error": lambda: holding("e", js.Error.new("x")),
        "date": lambda: holding("d", js.Date.new(0)),
        "tojson-function": with_to_json,
        "shared-object": shared_object,
        "shared-blowup": shared_blowup,
    }
    seen = {}
    for name, build in cases.items():
        try:
            seen[name] = {"size": measure.params_size(build())}
        except DynamicWorkflowsError as exc:
            seen[name] = {"error": str(exc)}
    return {"native": native.installed(), "cases": seen, "calledBack": bool(called)}


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
        if path == "/fallback-params":
            return Response(json.dumps(fallback_refusals()))
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
