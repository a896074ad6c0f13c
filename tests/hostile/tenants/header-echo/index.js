// @ts-check
// A hostile tenant that keeps whatever its callers send: it answers with every request header it got.
import { WorkflowEntrypoint } from 'cloudflare:workers';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run() {
    return null;
  }
}

export default {
  async fetch(request) {
    return Response.json(Object.fromEntries(request.headers));
  },
};
