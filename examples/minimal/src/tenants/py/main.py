"""A Python tenant: the same Workflow and fetch handler, with the SDK's own idioms."""

from urllib.parse import parse_qs, urlparse

from workers import Response, WorkerEntrypoint, WorkflowEntrypoint, fetch


class TenantWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        @step.do("greet")
        async def greet():
            return f"Hello, {event['payload']['who']}!"

        return {"greeting": await greet()}


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlparse(request.url)
        if url.path == "/outbound":
            # The dispatcher gave this tenant no network: fetch() is refused.
            try:
                await fetch(parse_qs(url.query)["url"][0])
                return Response.json({"outbound": "allowed"})
            except Exception as error:
                return Response.json({"outbound": "refused", "error": str(error)})
        if request.method == "POST":
            instance = await self.env.WORKFLOWS.create({"params": await request.json()})
            return Response.json({"id": instance.id})
        instance = await self.env.WORKFLOWS.get(url.path[1:])
        return Response.json(await instance.status())
