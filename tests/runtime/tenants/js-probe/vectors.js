// @ts-check
// Builds the values of tests/vectors/params.json in JavaScript (the tests run it under Node
// too). A kind this language has no value for throws Unbuildable: the case is not its.

export class Unbuildable extends Error {}

/** A string of `char` (padded with x) whose JSON is `bytes` long. */
function fill(char, bytes) {
  const unit = new TextEncoder().encode(char).length;
  const count = Math.floor((bytes - 2) / unit);
  return char.repeat(count) + 'x'.repeat(bytes - 2 - count * unit);
}

const BUILDERS = {
  nan: () => NaN,
  inf: () => Infinity,
  '-inf': () => -Infinity,
  function: () => () => 1,
  undefined: () => undefined,
  bigint: (node) => BigInt(node.value),
  map: (node, limit, parents) => new Map(node.entries.map(([k, v]) => [k, build(v, limit, parents)])),
  set: (node, limit, parents) => new Set(node.items.map((v) => build(v, limit, parents))),
  regexp: () => /x/,
  error: () => new Error('x'),
  uint8array: () => new Uint8Array([1, 2]),
  symbol: () => Symbol('x'),
  date: (node) => new Date(node.ms),
  fill: (node, limit) => fill(node.char, limit + node.bytes),
  shared: () => {
    const address = { street: 'Main St 1' };
    return { billing: address, shipping: address };
  },
  // Thirty nested pairs of one 1 KB object: a small RPC message, 2**30 copies as JSON.
  blowup: () => {
    /** @type {unknown} */
    let level = { s: 'x'.repeat(1000) };
    for (let i = 0; i < 30; i++) level = [level, level];
    return { level };
  },
};

/** The value a case's JSON stands for; `limit` is the path's params limit. */
export function build(node, limit, parents = []) {
  if (Array.isArray(node)) {
    const array = [];
    parents.push(array);
    node.forEach((item, i) => {
      if (item?.$ === 'hole') return;  // a hole: the index is never assigned
      array[i] = build(item, limit, parents);
    });
    if (node.length > 0 && node.at(-1)?.$ === 'hole') array.length = node.length;
    parents.pop();
    return array;
  }
  if (node === null || typeof node !== 'object') return node;
  if (node.$ === 'cycle') return parents[parents.length - 1 - node.up];
  if (node.$ !== undefined) {
    const builder = BUILDERS[node.$];
    if (builder === undefined) throw new Unbuildable(node.$);
    return builder(node, limit, parents);
  }
  const object = {};
  parents.push(object);
  for (const [key, value] of Object.entries(node)) object[key] = build(value, limit, parents);
  parents.pop();
  return object;
}
