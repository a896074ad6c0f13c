// @ts-check
// The library's JavaScript: what is cheaper, or only possible, on JavaScript values.
//
// - checkParams: the params rules (core/rules.py, handed over by `configure`) on JavaScript
//   values, in one native walk, and the one count of their size (UTF-8 bytes of their JSON).
// - guardBinding: in a JavaScript tenant, the same checks before its call leaves the isolate
//   (a symbol cannot cross RPC: workerd would refuse it with its own error, without a path).
// - getInto, createInto: the engine's answer to a get or create turned into the tenant's
//   handle without resuming Python (a Python await costs a turn of the dispatcher's isolate);
//   Python is called back only when something was refused.
// - runInto: a tenant's run settled for the engine without resuming Python on success.
// - handleOf: a handle's methods are the engine instance's own, but sendEvent checks the
//   event type first.
//
// The dispatcher imports it as `dynamic_workflows.mjs` (an ES module of the worker's bundle,
// see docs/library.md); JavaScript tenants get it from the loader (runtime/loader.py).

/**
 * @typedef {{
 *   prefix: string,
 *   refusals: Record<string, string>,
 *   eventType: { pattern: string, maxLength: number, refusal: string },
 * }} Rules
 * @typedef {{ ok: true, size: number } | { ok: false, message: string }} Inspected
 * @typedef {(kind: string, value: unknown, answer?: unknown) => Promise<any>} Hook
 */

/** @type {Rules} */
let RULES = {
  prefix: '',
  refusals: {},
  eventType: { pattern: '^$', maxLength: 0, refusal: '' },
};
let EVENT_TYPE = /^$/;

/** Take the rules (core/rules.py's rules_for_javascript()). */
export function configure(/** @type {Rules} */ rules) {
  RULES = rules;
  EVENT_TYPE = new RegExp(rules.eventType.pattern);
}

/** The message of refusal `code` of the value at `path`. */
function refusal(/** @type {string} */ code, /** @type {string} */ path, what = '') {
  return RULES.refusals[code].replace('{path}', path).replace('{what}', what);
}

const PLAIN = new Set([Object.prototype, null]);

/**
 * The refusal code of a value the engine would not store as sent, and what it is; null for
 * data (containers are data: their contents are walked).
 * @param {unknown} value
 * @returns {[string, string] | null}
 */
function kind(value) {
  switch (typeof value) {
    case 'undefined':
      return ['undefined', ''];
    case 'number':
      return Number.isFinite(value) ? null : ['non-finite', String(value)];
    case 'bigint':
      return ['bigint', ''];
    case 'function':
      return ['function', ''];
    case 'symbol':
      return ['symbol', ''];
    case 'object': {
      if (value === null || Array.isArray(value) || value instanceof Date) return null;
      if (PLAIN.has(Object.getPrototypeOf(value))) return null;
      const name = value.constructor?.name || 'object';
      return ['not-data', `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`];
    }
    default:
      return null;
  }
}

/** The bytes a value's JSON takes at least (a string's quoted text, 1 for anything else). */
function leastBytes(/** @type {unknown} */ value) {
  return typeof value === 'string' ? value.length + 2 : 1;
}

/**
 * Whether `params` (under `path`) would reach the engine as sent and fit in `limit` bytes of
 * JSON: {ok: true, size} or {ok: false, message}.
 *
 * The walk comes first: serialising calls any toJSON it meets, and a function in params is
 * an RPC stub, so JSON.stringify would call back into the tenant. It counts the bytes the
 * JSON takes at least, shared objects each time (JSON writes them out every time: thirty
 * nested pairs of one object are a small RPC message and 2**30 copies), and stops past the
 * limit.
 * @param {unknown} params
 * @param {number} limit
 * @param {string} [path]
 * @returns {Inspected}
 */
export function checkParams(params, limit, path = 'params') {
  const plain = plainData(params, limit);
  if (plain === false) {
    const refused = firstRefused(params, path, limit);
    if (refused !== null) return refused;  // else an object was only shared, not cyclic
  }
  const size = plain !== false && plain > limit ? plain : utf8Length(JSON.stringify(params));
  return size > limit ? { ok: false, message: refusal('over-limit', path, String(limit)) } : { ok: true, size };
}

/**
 * For params that hold only data, each object once, the bytes their JSON takes at least
 * (counted until past `limit`); else false. One walk, no paths.
 * @returns {number | false}
 */
function plainData(/** @type {unknown} */ params, /** @type {number} */ limit) {
  const seen = new Set();
  const stack = [params];
  let atLeast = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (kind(value) !== null) return false;
    atLeast += leastBytes(value);
    if (atLeast > limit) return atLeast;
    if (typeof value !== 'object' || value === null || value instanceof Date) continue;
    if (seen.has(value)) return false;  // a cycle, or an object met twice: firstRefused tells
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push(value[i]);
    } else {
      for (const key of Object.keys(value)) {
        atLeast += leastBytes(key) + 1;  // "key":
        stack.push(/** @type {Record<string, unknown>} */ (value)[key]);
      }
    }
  }
  return atLeast;
}

/**
 * The first value refused, with its path, in document order (cycles included), or params
 * past `limit` by the bytes their JSON takes at least; null if neither.
 * @returns {Inspected | null}
 */
function firstRefused(/** @type {unknown} */ params, /** @type {string} */ root, /** @type {number} */ limit) {
  const active = new Set();
  /** @type {[unknown, string, boolean][]} */
  const stack = [[params, root, false]];
  let atLeast = 0;
  while (stack.length > 0) {
    const [value, path, leaving] = /** @type {[unknown, string, boolean]} */ (stack.pop());
    if (leaving) {
      active.delete(value);
      continue;
    }
    const bad = kind(value);
    if (bad !== null) return { ok: false, message: refusal(bad[0], path, bad[1]) };
    atLeast += leastBytes(value);
    if (atLeast > limit) return { ok: false, message: refusal('over-limit', root, String(limit)) };
    if (typeof value !== 'object' || value === null || value instanceof Date) continue;
    if (active.has(value)) return { ok: false, message: refusal('cycle', path) };
    active.add(value);
    stack.push([value, path, true]);
    const entries = Array.isArray(value)
      ? Array.from(value.keys(), (i) => [`${path}[${i}]`, value[i]])
      : Object.entries(value).map(([key, item]) => [`${path}.${key}`, item, key]);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [where, item, key] = entries[i];
      if (key !== undefined) atLeast += leastBytes(key) + 1;  // "key":
      stack.push([item, where, false]);
    }
  }
  return null;
}

// eslint-disable-next-line no-control-regex -- ASCII is 0x00 to 0x7f, control characters included
const ASCII = /^[\x00-\x7f]*$/;
const UTF8 = new TextEncoder();

/** The UTF-8 length of `text`, the one count of a size the library makes. */
function utf8Length(/** @type {string | undefined} */ text) {
  if (text === undefined) return 0;
  return ASCII.test(text) ? text.length : UTF8.encode(text).length;  // ASCII: one native scan
}

/** An Error from the `[name, message]` Python (or this module) gives. */
function namedError(/** @type {[string, string]} */ [name, message]) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** The refusal of a sendEvent type the engine would not take, or null. */
function eventTypeRefusal(/** @type {unknown} */ type) {
  const rule = RULES.eventType;
  if (typeof type === 'string' && type.length <= rule.maxLength && EVENT_TYPE.test(type)) {
    return null;
  }
  // Never String() an object: its toString may be an RPC stub that calls the tenant back.
  const what =
    typeof type === 'string'
      ? type.length > 40
        ? `${JSON.stringify(`${type.slice(0, 40)}…`)} (${type.length} characters)`
        : JSON.stringify(type)
      : type !== null && (typeof type === 'object' || typeof type === 'function')
        ? `an ${typeof type}`.replace('an function', 'a function')
        : String(type);
  return RULES.prefix + rule.refusal.replace('{what}', what);
}

/** The instance methods a handle forwards, under the names JavaScript tenants call. */
const INSTANCE_METHODS = ['status', 'pause', 'resume', 'terminate', 'restart', 'sendEvent', 'delete'];

/**
 * A plain object: the tenant's id, and the engine instance's own methods, bound (they cross
 * RPC as stubs that call the engine directly); sendEvent checks the event's type first.
 * @param {Record<string, any>} instance
 * @param {string} id
 */
export function handleOf(instance, id) {
  /** @type {Record<string, unknown>} */
  const handle = { id };
  for (const name of INSTANCE_METHODS) {
    if (typeof instance[name] === 'function') handle[name] = instance[name].bind(instance);
  }
  const send = /** @type {((event: unknown) => Promise<void>) | undefined} */ (handle.sendEvent);
  if (send !== undefined) {
    handle.sendEvent = (/** @type {{ type?: unknown } | undefined} */ event) => {
      const refused = eventTypeRefusal(event?.type);
      return refused === null ? send(event) : Promise.reject(namedError(['InvalidEventError', refused]));
    };
  }
  return handle;
}

/**
 * Make `target` a thenable that settles as `promise` does.
 *
 * `target` is an object Python made before it had a `then`: Pyodide decides whether a
 * JavaScript object is awaitable when it first wraps it, so Python hands it to the RPC
 * caller as it is (a Promise, or an object that was a thenable already, it would await in
 * Python, turning a rejection into a PythonError). The caller's promise adopts it.
 * @param {Record<string, unknown>} target
 * @param {Promise<unknown>} promise
 */
function adopt(target, promise) {
  target.then = (/** @type {any} */ onFulfilled, /** @type {any} */ onRejected) =>
    promise.then(onFulfilled, onRejected);
}

/**
 * Make `target` a thenable for what `workflow.get(engineId)` gives: the tenant's handle with
 * id `id`, or the engine's refusal as the error `refused(message, id, prefix)` (Python)
 * names: the library's class, in the tenant's ids. The engine is called here: a promise a
 * JavaScript call returns reaches Python as a Python future, and could not be handed back.
 * @param {Record<string, unknown>} target
 * @param {{ get(id: string): Promise<Record<string, any>> }} workflow
 * @param {string} engineId
 * @param {string} id
 * @param {(message: string, id: string, prefix: string | null) => [string, string]} refused
 * @param {string | null} prefix
 */
export function getInto(target, workflow, engineId, id, refused, prefix) {
  const settled = (async () => workflow.get(engineId))().then(
    (instance) => handleOf(instance, id),
    (error) => {
      throw namedError(refused(String(error?.message ?? error), id, prefix));
    },
  );
  adopt(target, settled);
}

/**
 * Make `target` a thenable for what `workflow.create(options)` gives: the tenant's handle
 * (id `id`, or the engine's own when the tenant gave none), or a named error.
 *
 * `admitted` is a NativeAdmission's call, `[object, method, argument]`, made here (a promise
 * made in Python would have become a Python future), or null/undefined (any other hook was
 * asked already). An answer whose `ok` is not `true` goes to `hook('admit', answer)`, the
 * engine's refusal to `hook('refused', message, answer)`, a failed call to
 * `hook('error', detail)`. `hook` (Python) answers `[name, message]` of the error to throw,
 * or null to go on; it is released here when the create ends.
 * @param {Record<string, unknown>} target
 * @param {[Record<string, (argument: unknown) => Promise<any>>, string, unknown] | null | undefined} admitted
 * @param {Hook & { destroy(): void }} hook
 * @param {{ create(options: unknown): Promise<Record<string, any>> }} workflow
 * @param {unknown} options
 * @param {string | null | undefined} id
 */
export function createInto(target, admitted, hook, workflow, options, id) {
  const settled = (async () => {
    try {
      let answer = null;
      if (admitted != null) {
        try {
          const [object, method, argument] = admitted;
          answer = await object[method](argument);
        } catch (error) {
          throw namedError(await hook('error', String(/** @type {any} */ (error)?.stack ?? error)));
        }
        if (answer?.ok !== true) {
          const refused = await hook('admit', answer);
          if (refused != null) throw namedError(refused);
        }
      }
      let instance;
      try {
        instance = await workflow.create(options);
      } catch (error) {
        const message = String(/** @type {any} */ (error)?.message ?? error);
        throw namedError(await hook('refused', message, answer));
      }
      return handleOf(instance, id ?? instance.id);
    } finally {
      hook.destroy();
    }
  })();
  adopt(target, settled);
}

/**
 * Make `target` a thenable for the tenant's `runner.run(event, step)`, settled as it settles,
 * without resuming Python unless it fails: then `failure(name, message)` (Python: the
 * engine's abort line under a Python traceback, a Python tenant's final exception) may
 * answer the `[name, message]` to reject with instead. `pending`: `runner` is a Python
 * proxy of an awaitable of the runner (load_runner answered later), awaited and destroyed.
 * @param {Record<string, unknown>} target
 * @param {any} runner
 * @param {boolean} pending
 * @param {unknown} event
 * @param {unknown} step
 * @param {(name: string, message: string) => [string, string] | null} failure
 */
export function runInto(target, runner, pending, event, step, failure) {
  const settled = (async () => {
    if (!pending) return runner.run(event, step);
    try {
      return (await runner).run(event, step);
    } finally {
      runner.destroy();
    }
  })().catch((error) => {
    const instead = failure(String(error?.name ?? ''), String(error?.message ?? error));
    throw instead == null ? error : namedError(instead);
  });
  adopt(target, settled);
}

/**
 * In a JavaScript tenant: make `binding.create` and `binding.createBatch` check params as
 * the dispatcher will (the same rules and `limit`) before the call leaves the isolate. The
 * tenant cannot be trusted to keep this: the dispatcher checks again; this gives the tenant
 * the same error where workerd would refuse a symbol with its own, without a path.
 * @param {Record<string, any>} binding
 * @param {number} limit
 */
export function guardBinding(binding, limit) {
  const create = binding.create;
  const createBatch = binding.createBatch;
  if (typeof create !== 'function' || typeof createBatch !== 'function') return;
  binding.create = (/** @type {any} */ options) => {
    const refused = refusedIn(options, 'params', limit);
    return refused === null ? create(options) : rejectParams(refused);
  };
  binding.createBatch = (/** @type {any} */ batch) => {
    for (const [i, item] of (Array.isArray(batch) ? batch : []).entries()) {
      const refused = refusedIn(item, `batch[${i}].params`, limit);
      if (refused !== null) return rejectParams(refused);
    }
    return createBatch(batch);
  };
}

/** Why the params of create options would be refused, or null (params left out are {}). */
function refusedIn(/** @type {any} */ options, /** @type {string} */ path, /** @type {number} */ limit) {
  if (options?.constructor !== Object || options.params === undefined) return null;
  const checked = checkParams(options.params, limit, path);
  return checked.ok ? null : checked.message;
}

/** @returns {Promise<never>} */
function rejectParams(/** @type {string} */ message) {
  return Promise.reject(namedError(['InvalidParamsError', RULES.prefix + message]));
}
