// @ts-check
// A JavaScript tenant: a Workflow, and a fetch handler that starts and reads it.
import { WorkflowEntrypoint } from 'cloudflare:workers';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    const greeting = await step.do('greet', async () => `Hello, ${event.payload.who}!`);
    return { greeting };
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/outbound') {
      // The dispatcher gave this tenant no network: fetch() is refused.
      try {
        await fetch(url.searchParams.get('url'));
        return Response.json({ outbound: 'allowed' });
      } catch (error) {
        return Response.json({ outbound: 'refused', error: String(error) });
      }
    }
    if (request.method === 'POST') {
      const instance = await env.WORKFLOWS.create({ params: await request.json() });
      return Response.json({ id: instance.id });
    }
    const instance = await env.WORKFLOWS.get(url.pathname.slice(1));
    return Response.json(await instance.status());
  },
};
