// A stand-in for `cloudflare:workers` outside workerd: just the classes and objects the
// JavaScript reference and the Python SDK touch. Only workerd objects are stood in for;
// the code under measurement is the real library code.
export class RpcTarget {}
export class WorkerEntrypoint {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
export class WorkflowEntrypoint extends WorkerEntrypoint {}
export class DurableObject extends WorkerEntrypoint {}
export const env = {};
export const exports = {};
