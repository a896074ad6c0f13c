// @ts-check
// The dispatcher's per-request work that is cheaper in JavaScript, loaded by dispatcher/routing.py
// (the bundle carries it as an ES module: wrangler.jsonc's ESModule rule). Every JavaScript
// promise Python awaits resumes Python for a turn of the isolate; these keep that to one per
// read, and none after a tenant answers.

/**
 * The text of the R2 object at `key`, or null when there is none: one promise, not two.
 * @param {R2Bucket} bucket
 * @param {string} key
 */
export async function readText(bucket, key) {
  const object = await bucket.get(key);
  return object === null ? null : object.text();
}

/**
 * Make `target` a thenable for the tenant's answer to `request`, sent to `url` without the
 * headers in `drop`, answered without the headers in `dropAnswer`; if the tenant's fetch
 * throws (or its code does not load), for the response `failed(context, detail)` (Python)
 * gives instead.
 *
 * `target` is an object Python made before it had a `then` (see dynamic_workflows'
 * library.mjs, adopt): the RPC caller's promise adopts it, and Python is not resumed when the
 * tenant answers.
 * @param {Record<string, unknown>} target
 * @param {{ getEntrypoint(): Fetcher }} worker
 * @param {string} url
 * @param {Request} request
 * @param {string[]} drop
 * @param {string[]} dropAnswer
 * @param {(context: string, detail: string) => Response} failed
 * @param {string} context
 */
export function forwardInto(target, worker, url, request, drop, dropAnswer, failed, context) {
  const forwarded = new Request(url, request);
  for (const name of drop) forwarded.headers.delete(name);
  const answered = (async () => withoutHeaders(await worker.getEntrypoint().fetch(forwarded), dropAnswer))().catch(
    (error) => failed(context, String(error?.stack ?? error)),
  );
  target.then = (/** @type {any} */ onFulfilled, /** @type {any} */ onRejected) =>
    answered.then(onFulfilled, onRejected);
}

/**
 * `response` without the headers in `drop` (a copy only when it has one of them; a WebSocket
 * upgrade keeps its socket).
 * @param {Response} response
 * @param {string[]} drop
 */
export function withoutHeaders(response, drop) {
  if (!drop.some((name) => response.headers.has(name))) return response;
  const headers = new Headers(response.headers);
  for (const name of drop) headers.delete(name);
  const { status, statusText, webSocket } = response;
  return new Response(webSocket ? null : response.body, { status, statusText, headers, webSocket });
}
