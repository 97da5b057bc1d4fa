// The status page's client: one EventSource for everything live, one fetch per query run by hand.
// URLs are relative, so the page works wherever the agent's web server mounts it.
'use strict';

const WINDOW = 300; // seconds of series kept, as the agent keeps them
const state = { checks: new Map(), series: [], log: [] };
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

function age(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function renderModules(modules) {
  $('modules').replaceChildren(...modules.map((m) => el('li', { 'data-alias': m.alias }, m.alias, ' ', el('small', {}, m.module === m.alias ? `#${m.id}` : `${m.module} #${m.id}`))));
}

function renderQueries(queries) {
  $('query-names').replaceChildren(...queries.map((q) => el('option', { value: q })));
}

function checkRow(check, fresh) {
  const row = el('tr', { 'data-key': check.key, class: fresh ? 'fresh' : '' },
    el('td', {}, el('span', { class: `state ${check.state}` }, check.state)),
    el('td', { class: 'command' }, check.command),
    el('td', {}, check.source),
    el('td', {}, check.via),
    el('td', { class: 'message', title: check.perf }, check.message),
    el('td', { class: 'age', 'data-time': String(check.time) }, age(check.time)));
  return row;
}

function renderChecks(changed) {
  const body = $('checks').tBodies[0];
  for (const check of changed) {
    state.checks.set(check.key, check);
    const old = body.querySelector(`tr[data-key="${CSS.escape(check.key)}"]`);
    if (old) old.remove();
    body.prepend(checkRow(check, true));
  }
  $('no-checks').hidden = state.checks.size > 0;
  $('check-count').textContent = state.checks.size > 0 ? `(${state.checks.size})` : '';
}

function sparkline(svg, values) {
  const max = Math.max(1, ...values);
  const step = 300 / Math.max(1, WINDOW - 1);
  const offset = WINDOW - values.length;
  const points = values.map((v, i) => `${((offset + i) * step).toFixed(1)},${(58 - (v / max) * 54).toFixed(1)}`).join(' ');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points);
  const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
  title.textContent = `max ${max}`;
  svg.replaceChildren(title, line);
}

function renderSeries() {
  const series = state.series;
  const last = series[series.length - 1];
  sparkline($('dispatch-chart'), series.map((s) => s.dispatches));
  sparkline($('lag-chart'), series.map((s) => s.lag));
  $('dispatch-now').textContent = last ? String(last.dispatches) : '';
  $('lag-now').textContent = last ? String(last.lag) : '';
  const names = [...new Set(series.flatMap((s) => Object.keys(s.channels)))].sort();
  const box = $('channels');
  for (const name of names) {
    let fig = box.querySelector(`figure[data-channel="${CSS.escape(name)}"]`);
    if (!fig) {
      fig = el('figure', { 'data-channel': name }, el('figcaption', {}, name, el('b')));
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('class', 'chart');
      svg.setAttribute('viewBox', '0 0 300 60');
      svg.setAttribute('preserveAspectRatio', 'none');
      fig.append(svg);
      box.append(fig);
    }
    const values = series.map((s) => s.channels[name] ?? 0);
    fig.querySelector('b').textContent = String(values[values.length - 1] ?? 0);
    sparkline(fig.querySelector('svg'), values);
  }
  $('no-channels').hidden = names.length > 0;
}

function renderLog(lines) {
  const list = $('log');
  for (const line of lines) {
    const time = new Date(line.time).toLocaleTimeString();
    list.prepend(el('li', { class: line.level }, el('time', {}, time), line.component ? `${line.component}: ` : '', line.message));
  }
  while (list.children.length > 100) list.lastElementChild.remove();
}

function apply(update, full) {
  if (full) {
    state.checks.clear();
    $('checks').tBodies[0].replaceChildren();
    $('log').replaceChildren();
    state.series = [];
  }
  if (update.modules) renderModules(update.modules);
  if (update.queries) renderQueries(update.queries);
  if (update.checks) renderChecks(full ? [...update.checks].sort((a, b) => a.time - b.time) : update.checks);
  if (update.series) {
    state.series = state.series.concat(update.series).slice(-WINDOW);
    renderSeries();
  }
  if (update.log) renderLog(update.log);
}

function connect() {
  const events = new EventSource('events');
  const badge = $('connection');
  events.addEventListener('open', () => { badge.dataset.state = 'live'; badge.textContent = 'live'; });
  events.addEventListener('error', () => { badge.dataset.state = 'down'; badge.textContent = 'reconnecting…'; });
  events.addEventListener('snapshot', (e) => apply(JSON.parse(e.data), true));
  events.addEventListener('delta', (e) => apply(JSON.parse(e.data), false));
}

// `check_cpu warn="load > 80" time=5m` → ['check_cpu', 'warn=load > 80', 'time=5m']
function words(line) {
  const out = [];
  const re = /(?:[^\s"']+|"[^"]*"|'[^']*')+/g;
  for (const m of line.match(re) ?? []) out.push(m.replace(/"([^"]*)"|'([^']*)'/g, '$1$2'));
  return out;
}

async function runQuery(event) {
  event.preventDefault();
  const [command, ...args] = words($('query-command').value);
  if (!command) return;
  const button = event.target.querySelector('button');
  const output = $('query-result');
  button.disabled = true;
  output.hidden = false;
  output.textContent = `running ${command}…`;
  try {
    const response = await fetch('query', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ command, arguments: args }) });
    const body = await response.json();
    output.replaceChildren();
    if (!response.ok) output.append(`refused: ${body.error}`);
    else output.append(el('span', { class: `state ${body.state}` }, body.state), ` ${body.message}`, body.perf ? `\n|${body.perf}` : '');
  } catch (error) {
    output.textContent = `failed: ${error}`;
  } finally {
    button.disabled = false;
  }
}

setInterval(() => {
  for (const cell of document.querySelectorAll('td.age')) cell.textContent = age(Number(cell.dataset.time));
}, 1000);

$('query-form').addEventListener('submit', runQuery);
connect();
