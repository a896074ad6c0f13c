// A test tenant that sends the wrapped binding what JSON over HTTP cannot carry.
import { WorkflowEntrypoint } from 'cloudflare:workers';

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
};

export default {
  async fetch(request, env) {
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
