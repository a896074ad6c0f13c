// Params checks that must see the whole payload, done natively: one walk, no copy into Python.
//
// The Workflows engine stores params as JSON; JSON.stringify silently drops or rewrites what
// it has no form for. inspectParams refuses every such value, naming where it is, and returns
// the JSON size of what is stored. Loaded by dynamic_workflows/runtime/native.py.

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
  const active = new Set();
  const stack = [[params, 'params', false]];
  while (stack.length > 0) {
    const [value, path, leaving] = stack.pop();
    if (leaving) {
      active.delete(value);
      continue;
    }
    const bad = what(value);
    if (bad !== null) return { ok: false, path, what: bad };
    if (typeof value !== 'object' || value === null || value instanceof Date) continue;
    if (active.has(value)) {
      return { ok: false, path, what: 'a reference back to an enclosing value (a cycle)' };
    }
    active.add(value);
    stack.push([value, path, true]);
    const isArray = Array.isArray(value);
    const keys = isArray ? Array.from(value.keys()) : Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push([value[keys[i]], child(path, keys[i], isArray), false]);
    }
  }
  const text = JSON.stringify(params);
  return { ok: true, size: text === undefined ? 0 : utf8Length(text) };
}

function utf8Length(text) {
  let size = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) size += 1;
    else if (code >= 0xd800 && code <= 0xdbff) i++, (size += 1);  // a surrogate pair: 4 bytes
    else size += 2;
  }
  return size;
}
