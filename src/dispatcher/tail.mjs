// @ts-check
// What tenant code printed and threw, per tenant (loaded by dispatcher/tail.py; the bundle
// carries it as an ES module through wrangler.jsonc's rule for **/*.mjs):
// - tailInto: the dispatcher's Tail Worker of every tenant worker. workerd calls it after each
//   invocation of the tenant's code (fetch, a Workflow run, any RPC call) with its logs,
//   exceptions and outcome.
// - observedRunner: a tenant's TenantWorkflow as the run route calls it. It notes which
//   instance each run is (a tail event does not say) and records a failed run, which the tail
//   never sees: an error thrown from an RPC method goes back to its caller, not to the tail.
// - record: one entry or more, each as one JSON line in the dispatcher's log (Workers Logs can
//   filter on tenant, instance, level) and, bounded, in the tenant's log store (its index).
// The tenant's identity always comes from `identity`, which the dispatcher set (the tail's
// props, the run's metadata), never from anything the tenant's code printed.

const CONSOLE = { debug: 'debug', log: 'log', info: 'info', warn: 'warn', error: 'error' };
// Runs started in this isolate, per tenant identity, for a tail event to find its instance.
const RUNS = new Map();
const RUNS_PER_TENANT = 64;
const TENANTS_TRACKED = 1024;
// A run's tail event starts at most this long after the run route called the tenant...
const RUN_START_MS = 2000;
// ...and two runs that started closer together than this cannot be told apart.
const RUN_TIE_MS = 2;

/**
 * Make `target` a thenable that settles once the tail event's entries are recorded (and
 * return that promise).
 */
export function tailInto(target, identity, events, index, limits) {
  const entries = [];
  for (const item of events) entries.push(...entriesOf(identity, item, limits));
  const done = entries.length ? record(identity, entries, index, limits, true) : Promise.resolve();
  target.then = (onFulfilled, onRejected) => done.then(onFulfilled, onRejected);
  return done;
}

function entriesOf(identity, item, limits) {
  const source = sourceOf(item);
  const instance = source === 'run' ? runOf(identity.uid, item.eventTimestamp) : null;
  const entries = [];
  for (const log of item.logs ?? []) {
    entries.push({
      at: log.timestamp,
      level: CONSOLE[log.level] ?? 'log',
      source,
      instance,
      name: null,
      message: cut(text(log.message), limits.messageChars),
    });
  }
  for (const exception of item.exceptions ?? []) {
    entries.push({
      at: exception.timestamp,
      level: 'error',
      source,
      instance,
      name: cut(String(exception.name ?? 'Error'), 200),
      message: cut(String(exception.message ?? ''), limits.messageChars),
    });
  }
  const outcome = String(item.outcome ?? 'ok');
  if (outcome !== 'ok' && outcome !== 'exception') {
    // Out of CPU or memory, cancelled, ...: the invocation ended without an exception of its own.
    entries.push({
      at: item.eventTimestamp,
      level: outcome === 'canceled' ? 'warn' : 'error',
      source,
      instance,
      name: outcome,
      message: `the invocation ended: ${outcome}`,
    });
  }
  return entries;
}

function sourceOf(item) {
  const event = item.event ?? {};
  if (event.rpcMethod !== undefined) {
    return event.rpcMethod === 'run' && item.entrypoint === 'TenantWorkflow' ? 'run' : 'rpc';
  }
  return event.request !== undefined ? 'fetch' : 'event';
}

function text(parts) {
  const list = Array.isArray(parts) ? parts : [parts];
  return list.map((part) => (typeof part === 'string' ? part : stringify(part))).join(' ');
}

function stringify(value) {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch {
    return String(value);
  }
}

function cut(value, limit) {
  return value.length <= limit ? value : `${value.slice(0, limit)} … [${value.length - limit} characters cut]`;
}

/**
 * Write `entries` of the tenant `identity` ({tenant, uid, version}): one JSON line each, and
 * the newest `limits.perInvocation` of them to the tenant's index (the rest counted as
 * dropped). With `batched`, the store's write waits up to `limits.batchMs` for the tail events
 * of the tenant's other invocations in that time, and one call to the index writes them all.
 */
export async function record(identity, entries, index, limits, batched = false) {
  for (const entry of entries) {
    const line = {
      event: 'tenant.log',
      tenant: identity.tenant,
      tenantUid: identity.uid,
      codeVersion: identity.version,
      instance: entry.instance,
      level: entry.level,
      source: entry.source,
      name: entry.name,
      message: entry.message,
      at: new Date(entry.at ?? Date.now()).toISOString(),
    };
    console[CONSOLE[entry.level] ?? 'log'](JSON.stringify(line));
  }
  const kept = entries.slice(-limits.perInvocation);
  const dropped = entries.length - kept.length;
  if (!batched) return store(identity, { entries: kept, dropped }, index);
  const pending = PENDING.get(identity.uid);
  if (pending !== undefined && pending.entries.length + kept.length <= limits.perBatch) {
    pending.entries.push(...kept);  // the event that opened the batch writes it
    pending.dropped += dropped;
    return undefined;
  }
  const batch = { entries: kept, dropped };
  PENDING.set(identity.uid, batch);
  await new Promise((resolve) => setTimeout(resolve, limits.batchMs));
  if (PENDING.get(identity.uid) === batch) PENDING.delete(identity.uid);
  return store(identity, batch, index);
}

// Per tenant identity, the batch of entries a tail event is about to write to the store.
const PENDING = new Map();

async function store(identity, batch, index) {
  try {
    const stub = index.get(index.idFromName(identity.uid));
    await stub.append_logs(batch);
  } catch (error) {
    // The log lines are written; the store missed this batch. Say so, loudly, once each.
    console.error(
      JSON.stringify({
        event: 'tenant.log.store_failed',
        tenant: identity.tenant,
        tenantUid: identity.uid,
        entries: batch.entries.length,
        error: String(error?.message ?? error),
      }),
    );
  }
}

/**
 * The tenant's `runner` with a `run` that notes the run's instance and records its failure:
 * `failed(name, message)` (Python) gives the entry to record, or null.
 */
export function observedRunner(runner, identity, failed, index, limits) {
  return {
    run(event, step) {
      const instance = String(event.instanceId ?? '');
      started(identity.uid, instance);
      return (async () => runner.run(event, step))().catch(async (error) => {
        try {
          const entry = failed(String(error?.name ?? ''), String(error?.message ?? error));
          if (entry) {
            entry.instance = instance;
            await record(identity, [entry], index, limits);
          }
        } catch (problem) {
          const line = { event: 'tenant.log.record_failed', tenant: identity.tenant, tenantUid: identity.uid, instance };
          console.error(JSON.stringify({ ...line, error: String(/** @type {any} */ (problem)?.message ?? problem) }));
        }
        throw error;
      });
    },
  };
}

function started(uid, instance) {
  let runs = RUNS.get(uid);
  if (runs === undefined) {
    if (RUNS.size >= TENANTS_TRACKED) RUNS.delete(RUNS.keys().next().value);
    runs = [];
    RUNS.set(uid, runs);
  }
  runs.push({ instance, at: Date.now(), matched: false });
  if (runs.length > RUNS_PER_TENANT) runs.shift();
}

/** The instance of the run whose tail event started at `at`: null unless exactly one fits. */
function runOf(uid, at) {
  const near = (RUNS.get(uid) ?? []).filter(
    (run) => !run.matched && run.at <= at + RUN_TIE_MS && at - run.at <= RUN_START_MS,
  );
  if (near.length === 0) return null;
  near.sort((a, b) => b.at - a.at);
  if (near.length > 1 && near[0].at - near[1].at < RUN_TIE_MS) return null;
  near[0].matched = true;
  return near[0].instance;
}
