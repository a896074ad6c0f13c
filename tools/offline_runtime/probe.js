// The upload check's probe worker (upload_probe.py runs it in a workerd process of its own).
// POST a Worker Loader WorkerCode as JSON (binary modules as {type, base64: true}, json
// modules as their text); it loads the code under a fresh id, so workerd evaluates every
// module, and calls a method no tenant has on its TenantWorkflow entrypoint. The answer is
// {"error": null} when that call returned, else {"error": <workerd's message>}: the
// dispatcher reads the message as it reads its own probe's (dispatcher/tenants.py).

function decode(module) {
  if (typeof module === 'string') return module;
  const { base64, ...rest } = module;
  const [[kind, content]] = Object.entries(rest);
  if (base64) return { [kind]: Uint8Array.from(atob(content), (c) => c.charCodeAt(0)) };
  if (kind === 'json') return { json: JSON.parse(content) };
  return { [kind]: content };
}

export default {
  async fetch(request, env) {
    if (request.method !== 'POST') return new Response('ok');
    const code = await request.json();
    const modules = {};
    for (const [name, module] of Object.entries(code.modules)) modules[name] = decode(module);
    const worker = env.LOADER.get(crypto.randomUUID(), () => ({
      compatibilityDate: code.compatibilityDate,
      compatibilityFlags: code.compatibilityFlags ?? [],
      allowExperimental: code.allowExperimental ?? false,
      mainModule: code.mainModule,
      modules,
      env: {},
      globalOutbound: null,
    }));
    try {
      await worker.getEntrypoint(code.entrypoint)[code.method]();
      return Response.json({ error: null });
    } catch (error) {
      return Response.json({ error: String(error?.message ?? error) });
    }
  },
};
