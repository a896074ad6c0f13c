// @ts-check
// The chaos tier's tenant: every instance takes a few steps, one of them fails once and is
// retried after a back-off (so a crash finds instances mid-step, in a retry's back-off and
// sleeping), and its answer says which identity's code ran it.
import { WorkflowEntrypoint } from 'cloudflare:workers';

const CODE_TAG = 'chaos-v1';
const attempts = new Map(); // per isolate: a restarted dev server retries once more

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    const params = event.payload ?? {};
    const greeting = await step.do('greet', async () => `Hello, ${params.who ?? 'world'}!`);
    const tries = await step.do(
      'flaky',
      { retries: { limit: 5, delay: params.backoff ?? '300 millisecond', backoff: 'constant' } },
      async () => {
        const n = (attempts.get(event.instanceId) ?? 0) + 1;
        attempts.set(event.instanceId, n);
        if (n < 2) throw new Error('transient failure, retried');
        return n;
      },
    );
    if (params.sleep) await step.sleep('nap', params.sleep);
    const tag = await step.do('finish', async () => CODE_TAG);
    return { greeting, tries, tag, instanceId: event.instanceId };
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
  const instance = await env.WORKFLOWS.get(decodeURIComponent(parts[1]));
  return Response.json({ id: instance.id, ...(await instance.status()) });
}

export default {
  async fetch(request, env) {
    try {
      return await handle(request, env);
    } catch (error) {
      const message = String(error?.message ?? error);
      const status = message.includes('not_found')
        ? 404
        : { QuotaExceededError: 429, TenantClosedError: 409 }[error?.name] ?? 500;
      return Response.json({ error: message, name: error?.name ?? null }, { status });
    }
  },
};
