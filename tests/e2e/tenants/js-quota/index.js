// @ts-check
// A test tenant for quotas, the instance index, delete and shards: refusals come back
// with the error's name, and its Workflow can run, sleep or wait as the params ask.
import { WorkflowEntrypoint } from 'cloudflare:workers';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    const params = event.payload ?? {};
    const greeting = await step.do('greet', async () => `Hello, ${params.who ?? 'world'}!`);
    if (params.busy) {
      await step.do('busy', async () => new Promise((resolve) => setTimeout(resolve, params.busy)));
    }
    if (params.sleep) await step.sleep('nap', params.sleep);
    let approval = null;
    if (params.waitForEvent) {
      approval = (await step.waitForEvent('approval', { type: 'approval', timeout: '1 hour' })).payload;
    }
    return { greeting, approval };
  }
}

async function handle(request, env) {
  const url = new URL(request.url);
  const parts = url.pathname.split('/').filter(Boolean);
  const body = request.method === 'POST' ? await request.json() : undefined;
  if (parts[0] !== 'workflows') return Response.json({ error: 'try /workflows' }, { status: 404 });
  if (parts.length === 1 && request.method === 'POST') {
    return Response.json({ id: (await env.WORKFLOWS.create(body)).id });
  }
  if (parts[1] === 'batch' && request.method === 'POST') {
    return Response.json({ ids: (await env.WORKFLOWS.createBatch(body)).map((i) => i.id) });
  }
  const instance = await env.WORKFLOWS.get(decodeURIComponent(parts[1]));
  if (parts.length === 2) return Response.json({ id: instance.id, ...(await instance.status()) });
  if (parts[2] === 'event') await instance.sendEvent(body);
  return Response.json({ id: instance.id, done: parts[2] });
}

export default {
  async fetch(request, env) {
    try {
      return await handle(request, env);
    } catch (error) {
      const status = error?.name === 'QuotaExceededError' ? 429 : error?.name === 'InstanceNotFoundError' ? 404 : 400;
      return Response.json({ error: String(error?.message ?? error), name: error?.name }, { status });
    }
  },
};
