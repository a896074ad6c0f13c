// @ts-check
// The benchmark tenant, identical under both dispatchers (ours and the JS reference's):
// a workflow of `steps` step.do calls, and routes that time work inside the worker.
import { WorkflowEntrypoint } from 'cloudflare:workers';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    const steps = event.payload?.steps ?? 1;
    let last = null;
    for (let i = 0; i < steps; i++) last = await step.do(`step-${i}`, async () => i);
    return { steps, last };
  }
}

const FINAL = new Set(['complete', 'errored', 'terminated']);

// Date.now() advances only across I/O inside a request, which is all these loops wait on.
async function timed(work) {
  const start = Date.now();
  const result = await work();
  return { ms: Date.now() - start, ...result };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = url.pathname.split('/').filter(Boolean).pop();
    const body = request.method === 'POST' ? await request.json() : {};
    if (route === 'create') {
      const instance = await env.WORKFLOWS.create(body);
      return Response.json({ id: await instance.id });
    }
    if (route === 'get') {
      const instance = await env.WORKFLOWS.get(url.searchParams.get('id'));
      return Response.json({ id: await instance.id });
    }
    if (route === 'status') {
      const instance = await env.WORKFLOWS.get(url.searchParams.get('id'));
      return Response.json(await instance.status());
    }
    if (route === 'creates') {
      // n wrapped creates in a row; the dispatcher's raw-create route does the same unwrapped.
      return Response.json(await timed(async () => {
        for (let i = 0; i < body.n; i++) await env.WORKFLOWS.create({ params: body.params });
        return { n: body.n };
      }));
    }
    if (route === 'create-to-complete') {
      return Response.json(await timed(async () => {
        const instance = await env.WORKFLOWS.create({ params: { steps: body.steps ?? 1 } });
        let polls = 0;
        for (;;) {
          const status = await instance.status();
          polls++;
          if (FINAL.has(status.status)) return { status: status.status, polls };
        }
      }));
    }
    return Response.json({ error: `unknown route ${url.pathname}` }, { status: 404 });
  },
};
