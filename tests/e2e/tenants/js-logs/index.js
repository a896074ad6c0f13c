// @ts-check
// A JavaScript tenant that prints and throws on request: its lines must reach its own logs.
import { WorkflowEntrypoint } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    const params = event.payload ?? {};
    if (params.failNamed) {
      // An error whose name the tenant chose: any text, markup included.
      const error = new Error(`named by the tenant: ${params.failNamed}`);
      error.name = params.failNamed;
      throw error;
    }
    console.log(`run ${event.instanceId} says ${params.say}`);
    await step.do('one', async () => {
      console.warn(`step one of ${event.instanceId}`);
      return 1;
    });
    if (params.fail) {
      await step.do('fail', async () => {
        throw new NonRetryableError(params.fail);
      });
    }
    if (params.wait) await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
    return { said: params.say ?? null };
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'log') {
      const lines = Number(url.searchParams.get('lines') ?? 1);
      const text = url.searchParams.get('text') ?? '';
      for (let i = 0; i < lines; i++) console.log(lines === 1 ? text : `${text} ${i}`);
      if (url.searchParams.get('warn')) console.warn(`warned: ${text}`);
      return Response.json({ logged: lines });
    }
    if (parts[0] === 'throw') throw new TypeError(`js fetch threw ${url.searchParams.get('text') ?? ''}`);
    if (parts[0] === 'workflows' && request.method === 'POST') {
      const instance = await env.WORKFLOWS.create(await request.json());
      return Response.json({ id: instance.id });
    }
    if (parts[0] === 'workflows') {
      const instance = await env.WORKFLOWS.get(parts[1]);
      return Response.json({ id: instance.id, ...(await instance.status()) });
    }
    return Response.json({ error: 'not found' }, { status: 404 });
  },
};
