// Portway relay console: fills the server-rendered pages from the JSON API (docs/console-openapi.yaml).
// A module loaded from the relay's jar; the CSP allows no inline script, so all behaviour lives here.
let csrf = null;
let me = null;

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(k ?? ''));
  return e;
};
const when = (ms) => ms ? new Date(ms).toLocaleString() : '';
const age = (ms) => ms < 60000 ? `${Math.floor(ms / 1000)} s` : ms < 3600000 ? `${Math.floor(ms / 60000)} min` :
  ms < 86400000 ? `${Math.floor(ms / 3600000)} h` : `${Math.floor(ms / 86400000)} d`;
const bytes = (n) => n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') opts.headers['X-CSRF-Token'] = csrf ?? '';
  if (body !== undefined) { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body); }
  const res = await fetch(path, opts);
  const data = await res.json().catch(() => ({}));
  if (res.status === 401 && !['login', 'invite'].includes(document.body.dataset.page)) { location.href = '/login'; throw new Error('Sign in first.'); }
  if (!res.ok) throw new Error(data.error || `The relay answered ${res.status}.`);
  return data;
}

function showError(e) {
  const box = $('#error');
  if (!box) return;
  box.textContent = e ? e.message : '';
  box.hidden = !e;
}

function rows(id, list, render, empty = 'Nothing yet.') {
  const body = $(`#${id} tbody`);
  const cols = $(`#${id} thead tr`).children.length;
  body.replaceChildren(...(list.length ? list.map((x) => el('tr', {}, ...render(x).map((c) => c instanceof Node && c.tagName === 'TD' ? c : el('td', {}, c)))) :
    [el('tr', {}, el('td', { class: 'empty', colspan: cols }, empty))]));
}

const button = (label, action, cls = '') => el('button', { type: 'button', class: cls, onclick: async () => {
  try { showError(null); await action(); } catch (e) { showError(e); }
} }, label);

function form(id, submit) {
  const f = $(`#${id}`);
  f?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try { showError(null); await submit(Object.fromEntries(new FormData(f)), f); } catch (e) { showError(e); }
  });
  return f;
}

function theme() {
  const saved = localStorage.getItem('portway-theme');
  if (saved) document.documentElement.dataset.theme = saved;
  $('#theme')?.addEventListener('click', () => {
    const dark = (document.documentElement.dataset.theme ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light')) === 'dark';
    document.documentElement.dataset.theme = dark ? 'light' : 'dark';
    localStorage.setItem('portway-theme', document.documentElement.dataset.theme);
    window.dispatchEvent(new Event('themechange'));
  });
}

// ---- pages

const pages = {
  async login() {
    form('login-form', async (v) => {
      await api('POST', '/api/session', { user: v.user, password: v.password });
      location.href = '/';
    });
  },

  async invite() {
    const secret = location.pathname.split('/')[2] ?? '';
    try {
      const i = await api('GET', `/api/invites/${encodeURIComponent(secret)}`);
      $('#invite-user').textContent = `For ${i.user}; the link works once, until ${when(i.expiresAt)}.`;
    } catch (e) { showError(e); $('#invite-form').hidden = true; return; }
    form('invite-form', async (v) => {
      if (v.password !== v.again) throw new Error('The two passwords differ.');
      await api('POST', `/api/invites/${encodeURIComponent(secret)}`, { password: v.password });
      location.href = '/login';
    });
  },

  async home() { location.replace(me.role === 'admin' ? '/overview' : '/me'); },

  async me() {
    const load = async () => {
      const m = await api('GET', '/api/me');
      $('#cards').replaceChildren(...[
        ['Tier', m.tier], ['Requests per minute', m.requestsPerMinute || 'no limit'],
        ['Tunnels', `${m.tunnels} of ${m.maxTunnels}`], ['Connections', `${m.connections} of ${m.maxConnections}`],
      ].map(([l, n]) => el('div', { class: 'card' }, el('div', { class: 'n' }, String(n)), el('div', { class: 'l' }, l))));
    };
    form('password-form', async (v, f) => {
      await api('PUT', `/api/users/${me.user}/password`, v);
      f.reset();
      showError(new Error('Password changed.'));
    });
    await load();
    setInterval(() => load().catch(showError), 3000);
  },

  async overview() {
    const { default: uPlot } = await import('/static/uplot/uPlot.esm.js');
    const charts = {};
    const css = (v) => getComputedStyle(document.documentElement).getPropertyValue(v).trim();
    const colors = ['--accent', '--ok', '--danger', '--muted'];
    const draw = (id, names, data) => {
      const box = $(`#${id}`);
      const width = Math.max(280, box.clientWidth);
      if (!charts[id] || charts[id].width !== width) {
        charts[id]?.destroy();
        const axis = { stroke: css('--muted'), grid: { stroke: css('--line') }, ticks: { stroke: css('--line') } };
        charts[id] = new uPlot({ width, height: 200, series: [{}, ...names.map((n, i) => ({ label: n, stroke: css(colors[i % 4]), width: 2 }))],
          axes: [axis, axis], scales: { x: { time: true } } }, data, box);
      } else charts[id].setData(data);
    };
    const load = async () => {
      const { samples } = await api('GET', '/api/overview');
      const last = samples[samples.length - 1] ?? {};
      $('#cards').replaceChildren(...[
        ['Clients', last.sessions], ['Tunnels', last.tunnels], ['Requests/s', (last.requestsPerSecond ?? 0).toFixed(1)],
        ['Queued', last.queued], ['SSH sessions', last.sshSessions], ['Visitor connections', last.visitorConnections],
      ].map(([l, n]) => el('div', { class: 'card' }, el('div', { class: 'n' }, String(n ?? 0)), el('div', { class: 'l' }, l))));
      const t = samples.map((s) => s.at / 1000);
      draw('chart-rps', ['requests/s'], [t, samples.map((s) => s.requestsPerSecond)]);
      draw('chart-live', ['clients', 'tunnels', 'SSH'], [t, samples.map((s) => s.sessions), samples.map((s) => s.tunnels), samples.map((s) => s.sshSessions)]);
      draw('chart-queue', ['queued'], [t, samples.map((s) => s.queued)]);
      const cats = [...new Set(samples.flatMap((s) => Object.keys(s.errors)))].slice(0, 4);
      draw('chart-errors', cats.length ? cats : ['errors'], [t, ...(cats.length ? cats : ['none']).map((c) => samples.map((s) => s.errors[c] ?? 0))]);
    };
    // The charts take their colours from the theme: draw them anew when it changes.
    window.addEventListener('themechange', () => {
      for (const k in charts) { charts[k].destroy(); delete charts[k]; }
      load().catch(showError);
    });
    await load();
    setInterval(() => load().catch(showError), 2000);
  },

  async nodes() {
    const load = async () => rows('nodes', await api('GET', '/api/nodes'), (n) => [n.id + (n.self ? ' (this one)' : ''), n.address ?? '—',
      n.version ?? '—', n.health, n.lease ? when(n.lease) : '—', n.clients, n.tunnels, when(n.startedAt)]);
    await load();
    setInterval(() => load().catch(showError), 5000);
  },

  async users() {
    const load = async () => rows('users', await api('GET', '/api/users'), (u) => [
      u.name,
      tierSelect(u),
      u.role,
      el('span', { class: u.disabled ? 'state-off' : 'state-on' }, u.disabled ? 'disabled' : 'active'),
      u.hasPassword ? 'set' : '—',
      when(u.createdAt),
      el('td', {},
        button(u.disabled ? 'Enable' : 'Disable', async () => { await api('PATCH', `/api/users/${u.name}`, { disabled: !u.disabled }); await load(); }),
        ' ', button(u.role === 'admin' ? 'Make user' : 'Make admin', async () => { await api('PATCH', `/api/users/${u.name}`, { role: u.role === 'admin' ? 'user' : 'admin' }); await load(); }),
        ' ', button(u.hasPassword ? 'Reset password' : 'Invite', async () => {
          const i = await api('POST', `/api/users/${u.name}/invite`, { resetPassword: u.hasPassword ? 'true' : 'false' });
          notice(`Invite link for ${i.user} (works once, until ${when(i.expiresAt)}): `, `${location.origin}${i.path}`);
          await load();
        }),
        ' ', button('Delete', async () => {
          if (prompt(`Delete ${u.name} with their tokens, names and keys? Type the name to confirm.`) !== u.name) return;
          await api('DELETE', `/api/users/${u.name}`, { confirm: u.name }); await load();
        }, 'danger')),
    ]);
    const tierSelect = (u) => {
      const s = el('select', { 'aria-label': `Tier of ${u.name}` }, ...['free', 'premium', 'enterprise'].map((t) => el('option', t === u.tier ? { selected: '' } : {}, t)));
      s.addEventListener('change', async () => { try { await api('PATCH', `/api/users/${u.name}`, { tier: s.value }); } catch (e) { showError(e); } });
      return s;
    };
    form('user-form', async (v, f) => { await api('POST', '/api/users', v); f.reset(); await load(); });
    await load();
  },

  async tokens() {
    const userField = ownUserField('#token-form');
    const load = async () => {
      const users = me.role === 'admin' ? (await api('GET', '/api/users')).map((u) => u.name) : [me.user];
      const all = (await Promise.all(users.map((u) => api('GET', `/api/users/${u}/tokens`)))).flat();
      rows('tokens', all, (t) => [el('code', {}, t.id), t.user, t.label, t.revokedAt ? 'revoked' : 'valid', when(t.createdAt),
        t.revokedAt ? '' : button('Revoke', async () => { await api('DELETE', `/api/tokens/${t.id}`); await load(); }, 'danger')]);
    };
    form('token-form', async (v) => {
      const t = await api('POST', `/api/users/${encodeURIComponent(v.user)}/tokens`, { label: v.label });
      const box = $('#secret');
      box.replaceChildren(`Token ${t.id} for ${t.user} — shown only this once, copy it now: `, el('span', { class: 'secret', id: 'new-secret' }, t.secret));
      box.hidden = false;
      await load();
    });
    userField.value ||= me.user;
    await load();
  },

  async names() {
    const load = async () => rows('names', await api('GET', '/api/names'), (n) => [n.name, n.user,
      me.role === 'admin' ? button('Release', async () => { await api('DELETE', `/api/names/${n.name}`); await load(); }, 'danger') : '']);
    form('name-form', async (v, f) => { await api('POST', '/api/names', v); f.reset(); await load(); });
    await load();
  },

  async keys() {
    ownUserField('#key-form');
    const load = async () => {
      const users = me.role === 'admin' ? (await api('GET', '/api/users')).map((u) => u.name) : [me.user];
      const all = (await Promise.all(users.map((u) => api('GET', `/api/users/${u}/keys`)))).flat();
      rows('keys', all, (k) => [el('code', {}, k.fingerprint), k.user, k.type, k.comment, when(k.createdAt),
        button('Remove', async () => { await api('DELETE', `/api/users/${k.user}/keys/${encodeURIComponent(k.fingerprint)}`); await load(); }, 'danger')]);
    };
    form('key-form', async (v, f) => { await api('POST', `/api/users/${encodeURIComponent(v.user)}/keys`, { line: v.line }); f.line.value = ''; await load(); });
    await load();
  },

  async tunnels() {
    const load = async () => {
      const [tunnels, sessions] = await Promise.all([api('GET', '/api/tunnels'), api('GET', '/api/sessions')]);
      rows('tunnels', tunnels, (t) => [t.name, t.kind + (t.isPrivate ? ' (private)' : '') + (t.port > 0 ? ` :${t.port}` : ''), t.user, t.client, when(t.since), t.openStreams, t.requests, bytes(t.bytesIn), bytes(t.bytesOut), ''],
        'No tunnel is connected.');
      rows('sessions', sessions, (s) => [el('code', {}, s.id), s.user, s.token, s.client, when(s.since), s.tunnels.join(', '),
        button('Disconnect', async () => { await api('DELETE', `/api/sessions/${s.id}`); await load(); }, 'danger')], 'No client is connected.');
    };
    await load();
    setInterval(() => load().catch(showError), 1000);
  },

  async queues() {
    const load = async () => rows('queues', await api('GET', '/api/queues'), (q) => [q.tunnel, q.user ?? '—', q.count, bytes(q.bytes),
      age(q.oldestAgeMs), q.level ?? '—',
      button('Purge', async () => {
        if (prompt(`Delete the ${q.count} stored requests of ${q.tunnel}? They are never delivered. Type the tunnel's name to confirm.`) !== q.tunnel) return;
        const p = await api('DELETE', `/api/queues/${encodeURIComponent(q.tunnel)}`, { confirm: q.tunnel });
        notice(`Purged ${p.count} requests (${bytes(p.bytes)}) of ${p.tunnel}.`);
        await load();
      }, 'danger')], 'No queued requests.');
    await load();
    setInterval(() => load().catch(showError), 5000);
  },

  async audit() {
    let before = 0;
    const f = $('#audit-form');
    const more = $('#audit-more');
    const load = async (append) => {
      const v = Object.fromEntries(new FormData(f));
      const q = new URLSearchParams({ limit: '50', before: String(before), user: v.user, event: v.event });
      const page = await api('GET', `/api/audit?${q}`);
      const body = $('#audit tbody');
      if (!append) body.replaceChildren();
      for (const r of page.entries) {
        body.append(el('tr', {}, el('td', {}, when(r.at)), el('td', {}, r.event), el('td', {}, r.user ?? '—'),
          el('td', { class: 'wrap' }, Object.entries(r.fields).map(([k, x]) => `${k}=${x}`).join(' '))));
      }
      if (!body.children.length) rows('audit', [], () => [], 'No entries.');
      before = page.next ?? 0;
      more.hidden = !page.next;
    };
    form('audit-form', async () => { before = 0; await load(false); });
    more.addEventListener('click', () => load(true).catch(showError));
    await load(false);
  },

  async config() {
    rows('config', Object.entries(await api('GET', '/api/config')), ([k, v]) => [k, el('td', { class: 'wrap' }, typeof v === 'object' && v ? JSON.stringify(v) : String(v ?? '—'))]);
  },
};

function ownUserField(formSel) {
  const f = $(`${formSel} input[name=user]`);
  if (me.role !== 'admin') { f.value = me.user; f.readOnly = true; }
  return f;
}

function notice(text, link) {
  const box = $('#notice');
  if (link === undefined) box.replaceChildren(text); else box.replaceChildren(text, el('code', { id: 'invite-link' }, link));
  box.hidden = false;
}

async function main() {
  theme();
  const page = document.body.dataset.page;
  if (page !== 'login' && page !== 'invite') {
    me = await api('GET', '/api/session');
    csrf = me.csrfToken;
    document.body.dataset.role = me.role;
    $('#who').textContent = `${me.user} (${me.role})`;
    $('#signout').addEventListener('click', async () => { await api('DELETE', '/api/session'); location.href = '/login'; });
    const current = document.querySelector('nav a[aria-current="page"]');
    if (me.role !== 'admin' && current?.classList.contains('admin-only')) { location.replace('/me'); return; }
  }
  await pages[page]?.();
}

main().catch(showError);
