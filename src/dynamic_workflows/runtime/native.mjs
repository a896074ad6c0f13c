// The wrapped binding's work that is cheaper in JavaScript than in Python, loaded by
// dynamic_workflows/runtime/native.py where the worker's bundle carries this file as an ES
// module:
// - inspectParams: params checks that must see the whole payload, in one native walk. The
//   Workflows engine stores params as JSON; JSON.stringify silently drops or rewrites what it
//   has no form for. inspectParams refuses every such value, naming where it is, and returns
//   the JSON size of what is stored.
// - forwardRun, runInto: a tenant's run settled for the engine without resuming Python on
//   success.
// - getInto, createInto: the engine's answer to a get or create turned into the tenant's
//   handle without resuming Python (a Python await costs a turn of the dispatcher's isolate
//   per call); Python is called back only when the engine refused.

const PLAIN = new Set([Object.prototype, null]);

function what(value) {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'number':
      return Number.isFinite(value) ? null : String(value);
    case 'bigint':
      return 'a BigInt';
    case 'function':
    case 'symbol':
      return `a ${typeof value}`;
    case 'object': {
      if (value === null || Array.isArray(value) || value instanceof Date) return null;
      if (PLAIN.has(Object.getPrototypeOf(value))) return null;
      const name = value.constructor?.name || 'object';
      return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;
    }
    default:
      return null;
  }
}

function child(path, key, isArray) {
  return isArray ? `${path}[${key}]` : `${path}.${key}`;
}

/** {ok: true, size} for params stored as sent, else {ok: false, path, what}. */
export function inspectParams(params) {
  // The walk comes first: serialising calls any toJSON it meets, and a function in params is
  // an RPC stub, so JSON.stringify would call back into the tenant.
  const plain = plainData(params);
  if (plain === false) {
    const refusal = firstRefused(params);
    if (refusal !== null) return refusal;  // else an object was only shared, not cyclic
  } else if (plain > MAX_BYTES) {
    return { ok: true, size: plain };  // certainly over the engine's limit: not serialised
  }
  const text = JSON.stringify(params);
  return { ok: true, size: text === undefined ? 0 : utf8Length(text) };
}

/**
 * For params that hold only what `what` accepts, each object once, the bytes their JSON takes
 * at least (counted until past MAX_BYTES); else false. One walk, no paths.
 */
function plainData(params) {
  const seen = new Set();
  const stack = [params];
  let atLeast = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (what(value) !== null) return false;
    atLeast += leastBytes(value);
    if (atLeast > MAX_BYTES) return atLeast;
    if (typeof value !== 'object' || value === null || value instanceof Date) continue;
    if (seen.has(value)) return false;  // a cycle, or an object met twice: firstRefused tells
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push(value[i]);
    } else {
      for (const key of Object.keys(value)) {
        atLeast += leastBytes(key) + 1;  // "key":
        stack.push(value[key]);
      }
    }
  }
  return atLeast;
}

/** The engine stores at most 1 MiB of JSON (params and the envelope around them). */
const MAX_BYTES = 1 << 20;

/** The bytes a value's JSON takes at least (a string's quoted text, 1 for anything else). */
function leastBytes(value) {
  return typeof value === 'string' ? value.length + 2 : 1;
}

/**
 * The first value refused, with its path, in document order (cycles included); null if none.
 * An object met more than once is written out each time: twenty nested pairs of one object
 * would be a million copies. So the walk also counts bytes the JSON takes at least, and
 * stops with that size (over the engine's limit) once it passes MAX_BYTES.
 */
function firstRefused(params) {
  const active = new Set();
  const stack = [[params, 'params', false]];
  let atLeast = 0;
  while (stack.length > 0) {
    const [value, path, leaving] = stack.pop();
    if (leaving) {
      active.delete(value);
      continue;
    }
    const bad = what(value);
    if (bad !== null) return { ok: false, path, what: bad };
    atLeast += leastBytes(value);
    if (atLeast > MAX_BYTES) return { ok: true, size: atLeast };
    if (typeof value !== 'object' || value === null || value instanceof Date) continue;
    if (active.has(value)) {
      return { ok: false, path, what: 'a reference back to an enclosing value (a cycle)' };
    }
    active.add(value);
    stack.push([value, path, true]);
    const isArray = Array.isArray(value);
    const keys = isArray ? Array.from(value.keys()) : Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      if (!isArray) atLeast += leastBytes(keys[i]) + 1;  // "key":
      stack.push([value[keys[i]], child(path, keys[i], isArray), false]);
    }
  }
  return null;
}

const ASCII = /^[\x00-\x7f]*$/;

function utf8Length(text) {
  if (ASCII.test(text)) return text.length;  // one native scan for the common case
  let size = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) size += 1;
    else if (code >= 0xd800 && code <= 0xdbff) i++, (size += 2);  // a surrogate pair: 4 bytes
    else size += 2;
  }
  return size;
}

/** The instance methods a handle forwards, under the names JavaScript tenants call. */
const INSTANCE_METHODS = ['status', 'pause', 'resume', 'terminate', 'restart', 'sendEvent', 'delete'];

/** A plain object: the tenant's id, and the engine instance's own methods, bound. */
export function handleOf(instance, id) {
  const handle = { id };
  for (const name of INSTANCE_METHODS) {
    if (typeof instance[name] === 'function') handle[name] = instance[name].bind(instance);
  }
  return handle;
}

// `refused` (Python) names the library's error for the engine's message; the Error is made
// here: a JavaScript error returned from Python would come back wrapped in a PythonError.
function refusal(refused, error, id, prefix) {
  return namedError(refused(String(error?.message ?? error), id ?? null, prefix ?? null));
}

/** An Error from the `[name, message]` Python gives. */
function namedError([name, message]) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Make `target` a thenable that settles as `promise` does (see getInto for why a target). */
function adopt(target, promise) {
  target.then = (onFulfilled, onRejected) => promise.then(onFulfilled, onRejected);
}

/**
 * Make `target` a thenable for what `workflow.get(engineId)` gives: the tenant's handle
 * with id `id`, or an engine refusal as the error `refused(message, id, prefix)` names (the
 * library's class, in the tenant's ids). The engine is called here: a promise a JavaScript
 * call returns reaches Python as a Python future, and could not be handed back.
 *
 * `target` is an object Python made before it had a `then`: Pyodide decides whether a
 * JavaScript object is awaitable when it first wraps it, so Python hands it to the RPC
 * caller as it is (a Promise, or an object that was a thenable already, it would await in
 * Python, turning a rejection into a PythonError). The caller's promise adopts it.
 */
export function getInto(target, workflow, engineId, id, refused, prefix) {
  const settled = (async () => workflow.get(engineId))().then(
    (instance) => handleOf(instance, id),
    (error) => {
      throw refusal(refused, error, id, prefix);
    },
  );
  adopt(target, settled);
}

/**
 * Make `target` a thenable for what `workflow.create(options)` gives: the tenant's handle
 * (id `id`, or the engine's own when the tenant gave none), or a named error.
 *
 * `admitted` is a NativeAdmission's call, `[object, method, argument]`, made here (a promise
 * made in Python would have become a Python future), or null/undefined (any other hook was asked
 * already). An answer whose `ok` is not `true` goes to `hook('admit', answer)`, the engine's
 * refusal to `hook('refused', message, answer)`, a failed call to `hook('error', detail)`.
 * `hook` (Python) answers `[name, message]` of the error to throw, or null to go on; it is
 * released here when the create ends. See getInto for `target`.
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
          throw namedError(await hook('error', String(error?.stack ?? error)));
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
        throw namedError(await hook('refused', String(error?.message ?? error), answer));
      }
      return handleOf(instance, id ?? instance.id);
    } finally {
      hook.destroy();
    }
  })();
  adopt(target, settled);
}

/** Make `target` a thenable that settles as forwardRun settles it (see getInto for `target`). */
export function runInto(target, runner, event, step, failure) {
  const settled = new Promise((resolve, reject) =>
    forwardRun(runner, event, step, resolve, reject, failure),
  );
  adopt(target, settled);
}

/**
 * Call the tenant's `runner.run(event, step)` and settle the engine's promise (`resolve`,
 * `reject`) as it settles. A failure is passed through unless `failure(name, message)`
 * (Python: the engine's abort line under a Python traceback, a Python tenant's final
 * exception) returns `[name, message]` to show instead.
 */
export function forwardRun(runner, event, step, resolve, reject, failure) {
  (async () => runner.run(event, step))().then(resolve, (error) => {
    const instead = failure(String(error?.name ?? ''), String(error?.message ?? error));
    return reject(instead == null ? error : namedError(instead));
  });
}
