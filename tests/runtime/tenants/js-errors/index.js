// @ts-check
// A test tenant: each refusal a JavaScript tenant can meet, as the error it catches (the
// Python twin of this sequence is py-sdk-idiom's /<idiom>/errors: the same ids, so the same
// messages). Its runs wait for an event when the params ask, so they stay unfinished.
import { WorkflowEntrypoint } from 'cloudflare:workers';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    if (event.payload?.wait) await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
    return { payload: event.payload };
  }
}

async function caught(call) {
  try {
    await call();
    return { name: null };
  } catch (error) {
    return { name: error?.name ?? null, message: String(error?.message ?? error) };
  }
}

async function errors(wf) {
  const taken = await wf.create({ id: 'errors-taken', params: { wait: true } });
  return {
    InstanceAlreadyExistsError: await caught(() => wf.create({ id: 'errors-taken', params: {} })),
    InstanceNotFoundError: await caught(() => wf.get('nobody-here')),
    InvalidInstanceIdError: await caught(() => wf.get('-bad')),
    InvalidCreateOptionsError: await caught(() => wf.create('order-1')),
    InvalidParamsError: await caught(() => wf.create({ params: { a: [1, NaN] } })),
    InvalidBatchError: await caught(() => wf.createBatch(Array.from({ length: 101 }, () => ({})))),
    InvalidEventError: await caught(() => taken.sendEvent({ type: 'a b', payload: 1 })),
    QuotaExceededError: await caught(async () => {
      await wf.create({ id: 'errors-second', params: { wait: true } });
      await wf.create({ id: 'errors-third', params: {} });
    }),
  };
}

/** sendEvent with each type of `types`: accepted, or the error. */
async function eventTypes(wf, types) {
  const instance = await wf.create({ params: { wait: true } });
  const results = [];
  for (const type of types) {
    results.push(await caught(() => instance.sendEvent({ type, payload: null })));
  }
  return results;
}

export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    if (path === '/errors') return Response.json(await errors(env.WORKFLOWS));
    if (path === '/event-types') {
      return Response.json(await eventTypes(env.WORKFLOWS, (await request.json()).types));
    }
    return Response.json({ error: `no route ${path}` }, { status: 404 });
  },
};
