// @ts-check
// A hostile JavaScript tenant: it tries to leave its namespace through the wrapped binding.
import { WorkflowEntrypoint } from 'cloudflare:workers';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run(event) {
    return { payload: event.payload };
  }
}

function outcome(error) {
  return { ok: false, name: error?.name ?? null, message: String(error?.message ?? error) };
}

async function attempt(fn) {
  try {
    const value = await fn();
    return { ok: true, value: describe(value) };
  } catch (error) {
    return outcome(error);
  }
}

function describe(value) {
  if (typeof value === 'function') return '<function>';
  if (value && typeof value === 'object') return '<object>';
  return value ?? null;
}

// What the victim's instance would reveal or suffer if the attacker held a handle to it.
async function abuse(handle) {
  return {
    status: await attempt(() => handle.status()),
    event: await attempt(() => handle.sendEvent({ type: 'approval', payload: 'attacker' })),
  };
}

// Whether the dispatcher called back a function the attacker put in its params.
let calledBack = false;

// Params the engine would not store as sent, each under a known path.
const PARAMS = {
  // A function crosses RPC as a stub: serialising the params would call it back.
  'tojson-function': () => ({ a: { toJSON: () => ((calledBack = true), 'x') } }),
  nan: () => ({ a: NaN }),
  infinity: () => ({ a: [1, Infinity] }),
  'negative-infinity': () => ({ a: -Infinity }),
  bigint: () => ({ n: 5n }),
  'huge-bigint': () => ({ n: 2n ** 70n }),
  map: () => ({ m: new Map([['a', 1]]) }),
  'empty-map': () => ({ m: new Map() }),
  set: () => ({ s: new Set([1]) }),
  regexp: () => ({ r: /x/ }),
  'typed-array': () => ({ t: new Uint8Array([1, 2]) }),
  'undefined-in-object': () => ({ k: 1, u: undefined }),
  error: () => ({ e: new Error('x') }),
  nested: () => ({ a: { b: [1, new Map([['k', 1]])] } }),
  date: () => ({ d: new Date(0) }),
  // One object under two keys: written out twice, as JSON does; accepted.
  'shared-object': () => {
    const address = { street: 'Main St 1' };
    return { billing: address, shipping: address };
  },
  // Thirty nested pairs of one 1 KB object: a small RPC message, 2**30 copies as JSON.
  'shared-blowup': () => {
    /** @type {unknown} */
    let level = { s: 'x'.repeat(1000) };
    for (let i = 0; i < 30; i++) level = [level, level];
    return { level };
  },
};

const ATTACKS = {
  // Call every given name on the binding with the arguments a forger would use.
  async names(env, body) {
    const results = {};
    for (const name of body.names) {
      results[name] = await attempt(() => env.WORKFLOWS[name](...(body.args ?? [])));
    }
    return results;
  },
  // The chain from issue 9: __getattribute__ -> __setattr__('ctx', forged props) -> get.
  async 'forge-ctx'(env, body) {
    const steps = {};
    let ga;
    steps.getattribute = await attempt(async () => {
      ga = await env.WORKFLOWS.__getattribute__('__getattribute__');
      return ga;
    });
    const forged = { props: { bindingName: 'WORKFLOWS', metadata: body.metadata, scopeKey: body.scopeKey } };
    steps.setattr = await attempt(async () => (await ga('__setattr__'))('ctx', forged));
    steps.init = await attempt(() => env.WORKFLOWS.__init__(forged, {}));
    let handle;
    steps.get = await attempt(async () => {
      handle = await env.WORKFLOWS.get(body.victim);
      return handle;
    });
    if (handle) Object.assign(steps, await abuse(handle));
    return steps;
  },
  // Ids that name another tenant's engine id outright.
  async 'engine-id'(env, body) {
    const steps = {};
    let handle;
    steps.get = await attempt(async () => {
      handle = await env.WORKFLOWS.get(body.victim);
      return handle;
    });
    if (handle) Object.assign(steps, await abuse(handle));
    steps.deleteBatch = await attempt(() => env.WORKFLOWS.deleteBatch([body.victim]));
    return steps;
  },
  // Create with one of PARAMS; report the refusal, and whether an instance exists after it.
  async params(env, body) {
    const created = await attempt(async () => {
      const instance = await env.WORKFLOWS.create({ id: body.id, params: PARAMS[body.case]() });
      return instance.id;
    });
    const exists = await attempt(async () => (await env.WORKFLOWS.get(body.id)).status());
    await new Promise((resolve) => setTimeout(resolve, 100));  // a call back may still be on its way
    return { created, exists: exists.ok, calledBack };
  },
  // Event types the engine would refuse or misread, one of them calling back into the tenant.
  async 'event-types'(env, body) {
    const instance = await env.WORKFLOWS.create({ id: body.id, params: {} });
    const types = [
      { toString: () => ((calledBack = true), 'approval') },
      'approval\u0000',
      'approval'.repeat(1250),
      ['approval'],
    ];
    const sent = [];
    for (const type of types) sent.push(await attempt(() => instance.sendEvent({ type, payload: 'x' })));
    await new Promise((resolve) => setTimeout(resolve, 100));  // a call back may still be on its way
    return { sent, calledBack };
  },
  // Params dressed as another tenant's envelope: the run must still see this tenant's code.
  async 'forged-envelope'(env, body) {
    const instance = await env.WORKFLOWS.create({
      id: body.id,
      params: { __dispatcherMetadata: body.metadata, params: { stolen: true } },
    });
    return { id: await instance.id };
  },
};

export default {
  async fetch(request, env) {
    // A hostile tenant drops the checks the loader put in its isolate: its calls reach the
    // dispatcher as it wrote them (the dispatcher must check everything again).
    delete env.WORKFLOWS.create;
    delete env.WORKFLOWS.createBatch;
    const path = new URL(request.url).pathname;
    if (path.startsWith('/workflows/')) {
      const instance = await env.WORKFLOWS.get(path.slice('/workflows/'.length));
      return Response.json({ id: await instance.id, ...(await instance.status()) });
    }
    const name = path.split('/').pop();
    const attack = ATTACKS[name];
    if (!attack) return Response.json({ error: `no attack ${name}` }, { status: 404 });
    const body = request.method === 'POST' ? await request.json() : {};
    try {
      return Response.json(await attack(env, body));
    } catch (error) {
      return Response.json(outcome(error), { status: 400 });
    }
  },
};
