"""A dispatcher: /t/<tenant>/... goes to that tenant's code, which runs its own Workflow."""

from pathlib import Path

from js import URL, Request
from workers import Response, WorkerEntrypoint

from dynamic_workflows import (
    DynamicWorkflowBinding,
    DynamicWorkflowEntrypoint,
    dispatch_workflow,
    load_tenant_worker,
)

TENANTS = Path(__file__).parent / "tenants"  # tenants/<tenant>/: index.js or main.py
NAMES = {path.name for path in TENANTS.iterdir()}


def tenant_worker(env, tenant):
    modules = {path.name: path.read_text() for path in (TENANTS / tenant).iterdir()}
    return load_tenant_worker(
        env.LOADER,
        tenant,  # the isolate's id: give each new version of the code a new one
        main_module="main.py" if "main.py" in modules else "index.js",
        modules=modules,
        metadata={"tenantId": tenant},  # on every instance; scopes the tenant's ids
        compatibility_date="2026-11-01",
    )


def load_runner(*, metadata, env, ctx):
    return tenant_worker(env, metadata["tenantId"]).getEntrypoint("TenantWorkflow")


class DynamicWorkflow(DynamicWorkflowEntrypoint):
    def run(self, event, step):  # log or count here if you like; return, do not await
        return dispatch_workflow(self, event, step, load_runner)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = URL.new(request.url)
        _, prefix, tenant, *rest = [*url.pathname.split("/", 3), ""][:4]
        if prefix != "t" or tenant not in NAMES:
            return Response("unknown tenant", status=404)
        url.pathname = "/" + "".join(rest)
        forwarded = Request.new(url.toString(), request.js_object)
        return await tenant_worker(self.env, tenant).getEntrypoint().fetch(forwarded)


__all__ = ["Default", "DynamicWorkflow", "DynamicWorkflowBinding"]
