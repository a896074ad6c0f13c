// @ts-check
// A test tenant that sends the wrapped binding what JSON over HTTP cannot carry.
import { WorkflowEntrypoint } from 'cloudflare:workers';
import { build, Unbuildable } from './vectors.js';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event) {
    return { payload: event.payload };
  }
}

const cyclic = () => {
  const value = { name: 'loop' };
  value.self = value;
  return value;
};

const CASES = {
  'function-param': (wf) => wf.create({ id: 'fn-1', params: { callback: () => 1 } }),
  'cyclic-param': (wf) => wf.create({ id: 'cycle-1', params: cyclic() }),
  'large-numbers': (wf) => wf.create({ id: 'numbers-1', params: { big: 1e300, tiny: 1e-7, exact: 2 ** 60 } }),
  'batch-not-a-list': (wf) => wf.createBatch({ params: {} }),
  'options-not-an-object': (wf) => wf.create('order-1'),
  'id-not-a-string': (wf) => wf.get(42),
  'no-params': (wf) => wf.create({ id: 'no-params-1' }),
  'no-options': (wf) => wf.create(),
  'null-params': (wf) => wf.create({ id: 'null-params-1', params: null }),
};

/** A create as the tenant wrote it, or (bypass) past the library's check in this isolate. */
async function create(env, options, bypass) {
  if (!bypass) return env.WORKFLOWS.create(options);
  const guarded = env.WORKFLOWS.create;
  delete env.WORKFLOWS.create;  // the RPC method itself: only the dispatcher checks
  try {
    return await env.WORKFLOWS.create(options);
  } finally {
    env.WORKFLOWS.create = guarded;
  }
}

/** Each case of tests/vectors/params.json this language can build, created: what happened. */
async function vectors(env, { cases, limit, bypass }) {
  const results = {};
  for (const vector of cases) {
    let params;
    try {
      params = build(vector.value, limit);
    } catch (error) {
      if (error instanceof Unbuildable) continue;
      throw error;
    }
    const id = `v-${vector.name}-${bypass ? 'd' : 't'}`;
    try {
      const instance = await create(env, { id, params }, bypass);
      results[vector.name] = { ok: true, id: await instance.id };
    } catch (error) {
      results[vector.name] = { ok: false, name: error?.name, message: String(error?.message ?? error) };
    }
  }
  return results;
}

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/vectors') {
      return Response.json(await vectors(env, await request.json()));
    }
    const name = new URL(request.url).pathname.split('/').pop();
    const run = CASES[name];
    if (!run) return Response.json({ error: `no case ${name}` }, { status: 404 });
    try {
      const instance = await run(env.WORKFLOWS);
      return Response.json({ id: await instance.id });
    } catch (error) {
      return Response.json({ error: String(error?.message ?? error), name: error?.name }, { status: 400 });
    }
  },
};
