// The JavaScript reference dispatcher (../shared/anchor-js/src/index.js) as the benchmarks run it:
// the same library calls and Worker Loader set-up, with the benchmark tenant's code (tenant.txt,
// copied in by bench/e2e.py) instead of the inline greeting, routes by /t/<tenant>/ like ours, and
// a raw-create route that times creates on the unwrapped binding.
import { createDynamicWorkflowEntrypoint, DynamicWorkflowBinding, wrapWorkflowBinding } from '@cloudflare/dynamic-workflows';
import TENANT from './tenant.txt';
export { DynamicWorkflowBinding };

function loadTenant(env, tenantId) {
  return env.LOADER.get(tenantId, async () => ({
    compatibilityDate: '2026-01-01', mainModule: 'index.js',
    modules: { 'index.js': TENANT },
    env: { WORKFLOWS: wrapWorkflowBinding({ tenantId }) }, globalOutbound: null,
  }));
}

export const DynamicWorkflow = createDynamicWorkflowEntrypoint(async ({ env, metadata }) =>
  loadTenant(env, metadata.tenantId).getEntrypoint('TenantWorkflow'));

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/raw-create') {
      const { n, params } = await request.json();
      const start = Date.now();
      for (let i = 0; i < n; i++) await env.WORKFLOWS.create({ params });
      return Response.json({ ms: Date.now() - start, n });
    }
    const match = url.pathname.match(/^\/t\/([^/]+)(\/.*)?$/);
    if (!match) return Response.json({ error: 'use /t/<tenant>/...' }, { status: 404 });
    url.pathname = match[2] ?? '/';
    return loadTenant(env, match[1]).getEntrypoint().fetch(new Request(url, request));
  },
};
