// @ts-check
// A JavaScript tenant: plain Workflows code, unaware it is dispatched.
import { WorkflowEntrypoint } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';

const CODE_TAG = 'v1';
const attempts = new Map(); // per instance, to show a retried step

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    const params = event.payload ?? {};
    const greeting = await step.do('greet', async () => `Hello, ${params.who ?? 'world'}!`);
    if (params.fail === 'fatal') {
      await step.do('refuse', async () => {
        throw new NonRetryableError(`refused order for ${params.who}`);
      });
    }
    const tries = await step.do(
      'flaky',
      { retries: { limit: 3, delay: '100 millisecond', backoff: 'constant' } },
      async () => {
        const n = (attempts.get(event.instanceId) ?? 0) + 1;
        attempts.set(event.instanceId, n);
        if (n < 2) throw new Error('transient failure, retried');
        return n;
      },
    );
    if (params.sleep) await step.sleep('nap', params.sleep);
    let approval = null;
    if (params.waitForEvent) {
      const received = await step.waitForEvent('approval', { type: 'approval', timeout: '1 hour' });
      approval = received.payload;
    }
    const tag = await step.do('finish', async () => CODE_TAG);
    return {
      tenant: 'js',
      codeTag: tag,
      greeting,
      tries,
      approval,
      event: {
        payload: event.payload,
        instanceId: event.instanceId,
        workflowName: event.workflowName ?? null,
        timestamp: event.timestamp instanceof Date ? event.timestamp.toISOString() : String(event.timestamp),
      },
    };
  }
}

function json(data, status = 200) {
  return Response.json(data, { status });
}

async function handle(request, env) {
  const url = new URL(request.url);
  const parts = url.pathname.split('/').filter(Boolean);
  const body = request.method === 'POST' ? await request.json().catch(() => undefined) : undefined;
  if (parts[0] !== 'workflows') return json({ error: 'try POST /workflows' }, 404);
  if (parts.length === 1 && request.method === 'POST') {
    const instance = await env.WORKFLOWS.create(body);
    return json({ id: await instance.id });
  }
  if (parts[1] === 'batch' && request.method === 'POST') {
    const instances = await env.WORKFLOWS.createBatch(body);
    return json({ ids: await Promise.all(instances.map((i) => i.id)) });
  }
  const instance = await env.WORKFLOWS.get(decodeURIComponent(parts[1]));
  if (parts.length === 2) return json({ id: await instance.id, ...(await instance.status()) });
  const action = parts[2];
  if (action === 'event') await instance.sendEvent(body);
  else if (['pause', 'resume', 'terminate', 'restart', 'delete'].includes(action)) {
    await (body === undefined ? instance[action]() : instance[action](body));
  } else return json({ error: `unknown action ${action}` }, 404);
  return json({ id: await instance.id, done: action });
}

export default {
  async fetch(request, env) {
    try {
      return await handle(request, env);
    } catch (error) {
      const message = String(error?.message ?? error);
      const status = message.includes('not_found') ? 404 : message.includes('dynamic-workflows:') ? 400 : 500;
      return json({ error: message }, status);
    }
  },
};
