// @ts-check
// The benchmark tenant that prints: one console.log per request and per run (bench/tails.py).
import { WorkflowEntrypoint } from 'cloudflare:workers';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    console.log(`run ${event.instanceId}`);
    return { last: await step.do('step-0', async () => 0) };
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = url.pathname.split('/').filter(Boolean).pop();
    console.log(`request ${route}`);
    if (route === 'create') {
      const instance = await env.WORKFLOWS.create(await request.json());
      return Response.json({ id: instance.id });
    }
    const instance = await env.WORKFLOWS.get(url.searchParams.get('id'));
    return Response.json(route === 'status' ? await instance.status() : { id: instance.id });
  },
};
