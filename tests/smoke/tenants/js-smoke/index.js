// @ts-check
// The smoke suite's JavaScript tenant: a Workflow that greets, may wait for an event, and
// reports its code tag; refusals come back with the error's name and a status that fits.
import { WorkflowEntrypoint } from 'cloudflare:workers';

const CODE_TAG = 'v1';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    const params = event.payload ?? {};
    const greeting = await step.do('greet', async () => `Hello, ${params.who ?? 'world'}!`);
    let approval = null;
    if (params.waitForEvent) {
      approval = (await step.waitForEvent('approval', { type: 'approval', timeout: '1 hour' })).payload;
    }
    const tag = await step.do('finish', async () => CODE_TAG);
    return { kind: 'js', greeting, approval, codeTag: tag, instanceId: event.instanceId };
  }
}

async function handle(request, env) {
  const parts = new URL(request.url).pathname.split('/').filter(Boolean);
  const body = request.method === 'POST' ? await request.json() : undefined;
  if (parts[0] !== 'workflows') return Response.json({ error: 'try /workflows' }, { status: 404 });
  if (parts.length === 1 && request.method === 'POST') {
    return Response.json({ id: (await env.WORKFLOWS.create(body)).id });
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
      const name = error?.name;
      const status = name === 'QuotaExceededError' ? 429 : name === 'InstanceNotFoundError' ? 404 : 400;
      return Response.json({ name, error: String(error?.message ?? error) }, { status });
    }
  },
};
