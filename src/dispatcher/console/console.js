// The operator's console: tenants, their instances by status, one instance's error, output
// and logs, and the admin actions, all through the admin API with the operator's token.
//
// Every string from the API (tenant names, instance ids, log lines, errors, output) goes into
// the page as text (textContent, text nodes), never as markup. No innerHTML anywhere.
'use strict';

const TOKEN_KEY = 'dynamic-workflows-admin-token';
const STATUSES = ['queued', 'running', 'waiting', 'paused', 'waitingForPause', 'errored',
  'terminated', 'complete', 'unknown', 'reserved'];
const UNFINISHED = ['queued', 'running', 'waiting', 'paused', 'waitingForPause', 'reserved'];
const ACTIONS = ['pause', 'resume', 'terminate', 'restart'];
const LEVELS = ['error', 'warn', 'info', 'log', 'debug'];

const app = document.getElementById('app');
const crumbs = document.getElementById('crumbs');
const logoutButton = document.getElementById('logout');

/** An element with `attrs` (plain attributes and properties) and children (nodes or text). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function link(hash, ...children) {
  return el('a', { href: hash }, ...children);
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The admin API's JSON answer; an ApiError with its `error` text otherwise. */
async function api(path, options = {}) {
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers: { authorization: `Bearer ${options.token ?? token()}`, accept: 'application/json' },
    cache: 'no-store',
  });
  let body;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = body && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
    if (response.status === 401 && !options.token) logout('Your token was refused: log in again.');
    throw new ApiError(response.status, message);
  }
  return body;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function tenantPath(tenant) {
  return `/admin/tenants/${encodeURIComponent(tenant)}`;
}

function instancePath(tenant, id) {
  return `${tenantPath(tenant)}/instances/${encodeURIComponent(id)}`;
}

function statusBadge(status) {
  return el('span', { class: `status ${STATUSES.includes(status) ? status : ''}` }, status);
}

function notice(text) {
  return el('p', { class: 'notice', role: 'alert' }, text);
}

function setCrumbs(...parts) {
  crumbs.replaceChildren(...parts.flatMap((part, i) => (i ? [' / ', part] : [part])));
}

function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

// ---- log in ------------------------------------------------------------------------------

function logout(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin(message);
}

function showLogin(message) {
  logoutButton.hidden = true;
  setCrumbs();
  const input = el('input', {
    type: 'password', name: 'token', autocomplete: 'current-password', required: true,
    'aria-label': 'Admin token',
  });
  const form = el('form', { class: 'login', id: 'login' },
    el('h1', {}, 'Log in'),
    el('p', { class: 'muted' }, 'The dispatcher\'s admin token (ADMIN_TOKEN). It is kept in this tab only.'),
    message ? notice(message) : null,
    input,
    el('button', { class: 'primary', type: 'submit' }, 'Log in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const given = input.value.trim();
    try {
      await api('/admin/tenants?limit=1', { token: given });
    } catch (error) {
      showLogin(error.status === 401 ? 'That token was refused.' : error.message);
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, given);
    route();
  });
  app.replaceChildren(form);
  input.focus();
}

logoutButton.addEventListener('click', () => logout('Logged out.'));

// ---- tenants -----------------------------------------------------------------------------

async function showTenants() {
  setCrumbs(link('#/', 'Tenants'));
  const body = el('tbody');
  const more = el('button', { type: 'button', hidden: true }, 'More tenants');
  const section = el('section', {},
    el('h1', {}, 'Tenants'),
    el('div', { class: 'table' }, el('table', { id: 'tenants' },
      el('thead', {}, el('tr', {},
        el('th', {}, 'Tenant'), el('th', {}, 'Unfinished'), el('th', { class: 'optional' }, 'Shard'),
        el('th', { class: 'optional' }, 'Version'), el('th', { class: 'optional' }, 'Quota'))),
      body)),
    more);
  app.replaceChildren(section);
  let cursor = null;
  async function page() {
    const answer = await api(`/admin/tenants${query({ limit: 50, cursor })}`);
    for (const tenant of answer.tenants) {
      const quota = tenant.quota
        ? `${tenant.quota.creates_per_second}/s, burst ${tenant.quota.burst}, max ${tenant.quota.max_unfinished}`
        : '—';
      body.append(el('tr', { dataset: { tenant: tenant.tenant } },
        el('td', {}, link(`#/t/${encodeURIComponent(tenant.tenant)}`, tenant.tenant)),
        el('td', {}, tenant.unfinished ?? '—'),
        el('td', { class: 'optional' }, tenant.shard ?? '—'),
        el('td', { class: 'optional mono' }, tenant.version ?? '—'),
        el('td', { class: 'optional' }, quota)));
    }
    if (!answer.tenants.length && !body.children.length) {
      body.append(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'No tenants yet.')));
    }
    cursor = answer.nextCursor;
    more.hidden = !cursor;
  }
  more.addEventListener('click', () => page().catch(show));
  await page();
}

// ---- one tenant --------------------------------------------------------------------------

async function showTenant(tenant, params) {
  setCrumbs(link('#/', 'Tenants'), link(`#/t/${encodeURIComponent(tenant)}`, tenant));
  const info = await api(tenantPath(tenant));
  const status = params.get('status') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const statusSelect = el('select', { name: 'status', 'aria-label': 'Status' },
    el('option', { value: '' }, 'any status'),
    el('option', { value: UNFINISHED.join(','), selected: status === UNFINISHED.join(',') }, 'unfinished'),
    STATUSES.map((s) => el('option', { value: s, selected: s === status }, s)));
  const fromInput = el('input', { type: 'datetime-local', name: 'from', value: from, 'aria-label': 'Created from' });
  const toInput = el('input', { type: 'datetime-local', name: 'to', value: to, 'aria-label': 'Created before' });
  const filters = el('form', { class: 'toolbar', id: 'filters' },
    el('label', {}, 'Status', statusSelect),
    el('label', {}, 'Created from', fromInput),
    el('label', {}, 'Created before', toInput),
    el('button', { type: 'submit' }, 'Filter'));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/t/${encodeURIComponent(tenant)}${query({
      status: statusSelect.value, from: fromInput.value, to: toInput.value,
    })}`;
  });
  const terminateAll = el('button', { type: 'button', class: 'danger', id: 'terminate-all' },
    'Terminate all unfinished');
  const result = el('p', { class: 'muted', id: 'bulk-result' });
  terminateAll.addEventListener('click', async () => {
    if (!confirm(`Terminate every unfinished instance of ${tenant}?`)) return;
    const answer = await api(`${tenantPath(tenant)}/terminate-unfinished`, { method: 'POST' }).catch(show);
    if (answer) {
      result.textContent = `Terminated ${answer.terminated} instance(s).`;
      await listInstances();
    }
  });
  const rows = el('tbody');
  const more = el('button', { type: 'button', hidden: true }, 'More instances');
  const logs = logView(tenant, null);
  app.replaceChildren(
    el('h1', {}, tenant),
    el('section', {}, el('dl', { class: 'facts' },
      el('dt', {}, 'Shard'), el('dd', {}, info.shard),
      el('dt', {}, 'Version'), el('dd', { class: 'mono' }, info.version),
      el('dt', {}, 'Identity'), el('dd', { class: 'mono' }, info.uid))),
    el('section', {},
      el('h2', {}, 'Instances'),
      filters,
      el('div', { class: 'table' }, el('table', { id: 'instances' },
        el('thead', {}, el('tr', {},
          el('th', {}, 'Instance'), el('th', {}, 'Status'), el('th', { class: 'optional' }, 'Created'))),
        rows)),
      more,
      el('div', { class: 'toolbar' }, terminateAll),
      result),
    logs.node);
  let cursor = null;
  async function listInstances(next = false) {
    if (!next) {
      rows.replaceChildren();
      cursor = null;
    }
    const answer = await api(`${tenantPath(tenant)}/instances${query({
      limit: 50, cursor, status, createdFrom: isoOf(from), createdBefore: isoOf(to),
    })}`);
    for (const instance of answer.instances) {
      rows.append(el('tr', { dataset: { instance: instance.id, status: instance.status } },
        el('td', { class: 'id' }, link(`#/t/${encodeURIComponent(tenant)}/i/${encodeURIComponent(instance.id)}`, instance.id)),
        el('td', {}, statusBadge(instance.status)),
        el('td', { class: 'optional' }, when(instance.createdAt))));
    }
    if (!rows.children.length) {
      rows.append(el('tr', {}, el('td', { colspan: 3, class: 'muted' }, 'No instances match.')));
    }
    cursor = answer.nextCursor;
    more.hidden = !cursor;
  }
  more.addEventListener('click', () => listInstances(true).catch(show));
  await Promise.all([listInstances(), logs.load()]);
}

function isoOf(local) {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

// ---- one instance ------------------------------------------------------------------------

async function showInstance(tenant, id) {
  setCrumbs(link('#/', 'Tenants'), link(`#/t/${encodeURIComponent(tenant)}`, tenant),
    link(`#/t/${encodeURIComponent(tenant)}/i/${encodeURIComponent(id)}`, id));
  const entry = await api(instancePath(tenant, id));
  const actionResult = el('p', { class: 'muted', id: 'action-result' });
  const buttons = ACTIONS.map((action) => {
    const button = el('button', {
      type: 'button', class: action === 'terminate' ? 'danger' : '', dataset: { action },
    }, action[0].toUpperCase() + action.slice(1));
    button.addEventListener('click', async () => {
      if (action === 'terminate' && !confirm(`Terminate ${id}?`)) return;
      button.disabled = true;
      try {
        await api(`${instancePath(tenant, id)}/${action}`, { method: 'POST' });
        await showInstance(tenant, id);
        document.getElementById('action-result').textContent = `${action}: done.`;
      } catch (error) {
        actionResult.textContent = '';
        actionResult.append(notice(error.message));
        button.disabled = false;
      }
    });
    return button;
  });
  const error = entry.error
    ? el('section', { class: 'error-box', id: 'error' },
      el('h2', {}, 'Error'),
      el('p', {}, el('strong', { class: 'mono', id: 'error-name' }, entry.error.name ?? 'Error')),
      el('pre', { id: 'error-message' }, entry.error.message ?? ''))
    : null;
  const output = entry.output === undefined || entry.output === null
    ? el('p', { class: 'muted' }, 'No output.')
    : el('pre', { id: 'output' }, JSON.stringify(entry.output, null, 2));
  const logs = logView(tenant, id);
  app.replaceChildren(
    el('h1', { class: 'mono' }, id),
    el('section', {},
      el('dl', { class: 'facts' },
        el('dt', {}, 'Status'), el('dd', { id: 'status' }, statusBadge(entry.status)),
        el('dt', {}, 'Tenant'), el('dd', {}, entry.tenant),
        el('dt', {}, 'Created'), el('dd', {}, when(entry.createdAt)),
        el('dt', {}, 'Updated'), el('dd', {}, when(entry.updatedAt)),
        el('dt', {}, 'Code version'), el('dd', { class: 'mono' }, entry.codeVersion ?? '—'),
        el('dt', {}, 'Engine id'), el('dd', { class: 'mono' }, entry.engineId)),
      el('div', { class: 'toolbar' }, buttons),
      actionResult),
    error,
    el('section', {}, el('h2', {}, 'Output'), output),
    logs.node);
  await logs.load();
}

// ---- logs --------------------------------------------------------------------------------

function logView(tenant, instance) {
  const list = el('ol', { class: 'logs', id: 'logs' });
  const level = el('select', { name: 'level', 'aria-label': 'Level' },
    el('option', { value: '' }, 'all levels'),
    el('option', { value: 'warn,error' }, 'warnings and errors'),
    LEVELS.map((l) => el('option', { value: l }, l)));
  const more = el('button', { type: 'button', hidden: true }, 'Older entries');
  const stats = el('p', { class: 'muted' });
  let cursor = null;
  async function load(next = false) {
    if (!next) {
      list.replaceChildren();
      cursor = null;
    }
    const answer = await api(`${tenantPath(tenant)}/logs${query({
      limit: 100, cursor, level: level.value, instance: instance ?? undefined,
    })}`);
    for (const entry of answer.logs) {
      list.append(el('li', { class: `level-${entry.level}`, dataset: { seq: entry.seq } },
        el('span', { class: 'muted' }, when(entry.at)),
        el('span', { class: `level-${entry.level}` }, entry.level),
        el('span', { class: 'message' },
          entry.name ? `${entry.name}: ` : '',
          entry.message,
          instance === null && entry.instance ? el('span', { class: 'muted' }, ` (${entry.instance})`) : null)));
    }
    if (!list.children.length) list.append(el('li', { class: 'muted' }, 'Nothing logged.'));
    cursor = answer.nextCursor;
    more.hidden = !cursor;
    stats.textContent = `${answer.stored.entries} stored (${answer.stored.bytes} bytes), ${answer.stored.dropped} dropped`;
  }
  level.addEventListener('change', () => load().catch(show));
  more.addEventListener('click', () => load(true).catch(show));
  const node = el('section', {},
    el('h2', {}, instance === null ? 'Logs' : 'Logs of this instance'),
    el('div', { class: 'toolbar' }, el('label', {}, 'Level', level)),
    list, more, stats);
  return { node, load };
}

// ---- routing -----------------------------------------------------------------------------

function show(error) {
  if (error instanceof ApiError && error.status === 401) return;
  app.prepend(notice(error.message ?? String(error)));
}

async function route() {
  if (!token()) {
    showLogin();
    return;
  }
  logoutButton.hidden = false;
  const [path, search] = (location.hash.slice(1) || '/').split('?');
  const params = new URLSearchParams(search ?? '');
  const parts = path.split('/').filter(Boolean).map(decoded);
  app.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    if (parts[0] === 't' && parts.length === 2) await showTenant(parts[1], params);
    else if (parts[0] === 't' && parts[2] === 'i' && parts.length === 4) await showInstance(parts[1], parts[3]);
    else await showTenants();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    app.replaceChildren(notice(error.message ?? String(error)), link('#/', 'Back to the tenants'));
  }
}

function decoded(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;  // not percent-encoding: shown as it is
  }
}

window.addEventListener('hashchange', route);
route();
