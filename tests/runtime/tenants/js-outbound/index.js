// @ts-check
// A test tenant that tries to reach the network: fetch(?url=...) from its handler.
import { WorkflowEntrypoint } from 'cloudflare:workers';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run() {
    return {};
  }
}

export default {
  async fetch(request) {
    const target = new URL(request.url).searchParams.get('url');
    try {
      const response = await fetch(target);
      return Response.json({ reached: true, status: response.status });
    } catch (error) {
      return Response.json({ reached: false, error: String(error?.message ?? error) });
    }
  },
};
