// Shared helpers: the API client, number formatting and hash routing.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

// api fetches a JSON API path ("/api/…"); errors carry the server's message.
export async function api(path, params) {
  const q = params ? '?' + new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '' && v !== null)) : '';
  const res = await fetch(path + q, { headers: { Accept: 'application/json' } });
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Error(`${res.status} ${res.statusText}`);
  }
  if (!res.ok) throw new Error(body.error || `${res.status} ${res.statusText}`);
  return body;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

// size formats bytes as go-humanize's IBytes does ("968 B", "8.2 KiB", "50 KiB").
export function size(b) {
  if (b < 10) return `${b} B`;
  let e = Math.floor(Math.log(b) / Math.log(1024));
  e = Math.min(e, units.length - 1);
  const v = b / Math.pow(1024, e);
  if (e === 0) return `${b} B`;
  return `${v < 10 ? (Math.floor(v * 10 + 0.5) / 10).toFixed(1) : Math.floor(v + 0.5)} ${units[e]}`;
}

export function signedSize(d) {
  if (d > 0) return '+' + size(d);
  if (d < 0) return '−' + size(-d);
  return '0 B';
}

const nf = new Intl.NumberFormat('en-US');
export const num = (n) => nf.format(n);
export const signedNum = (n) => (n > 0 ? '+' : n < 0 ? '−' : '') + nf.format(Math.abs(n));

export function percent(part, total) {
  if (!total) return '';
  const p = (100 * part) / total;
  if (p === 0) return '0 %';
  if (p < 0.1) return '<0.1 %';
  return `${p < 10 ? p.toFixed(1) : Math.round(p)} %`;
}

// distance writes DevTools' distance: "−" when unreachable, "sys+N" when only
// system roots reach the object.
export function distance(d) {
  if (d < 0) return '−';
  if (d >= 100000000) return `sys+${d - 100000000}`;
  return String(d);
}

// route parses location.hash: "#/s/0/summary?sort=retained" →
// {parts: ['s', '0', 'summary'], params: URLSearchParams}.
export function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query] = hash.split('?');
  return { parts: path ? path.split('/').map(decodeURIComponent) : [], params: new URLSearchParams(query || '') };
}

export function href(parts, params) {
  const p = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '' && v !== null && v !== false)) : null;
  const q = p && [...p].length ? '?' + p : '';
  return '#/' + parts.map((x) => encodeURIComponent(x)).join('/') + q;
}

// setParams rewrites the current route's query without a history entry.
export function setParams(params) {
  const r = route();
  const next = href(r.parts, { ...Object.fromEntries(r.params), ...params });
  history.replaceState(null, '', next);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

// nodeLabel is an object as DevTools lists it: its name, and its class when the two differ.
export function nodeName(n) {
  const name = n.name || '';
  if (!name || name === n.class) return n.class;
  if (n.type === 'string' || n.type === 'concatenated string' || n.type === 'sliced string') return JSON.stringify(name.length > 120 ? name.slice(0, 120) + '…' : name);
  return name;
}

export const objectHref = (s, id) => href(['s', String(s), 'object', String(id)]);

// sourceHref is the source view of a location (scriptId, line, column) of snapshot s.
export const sourceHref = (s, l) => href(['s', String(s), 'source', String(l.scriptId), String(l.line)], { column: l.column || undefined });

// SourceLink writes a location as a link to its source view; the click
// stays out of the row it sits in (a tree row opens on click).
export const SourceLink = ({ s, loc, children, title }) =>
  html`<a class="srclink" href=${sourceHref(s, loc)} title=${title || 'Show the source at ' + where(loc, true)} onClick=${(e) => e.stopPropagation()} data-testid="source-link">${children}</a>`;

// shortName is a snapshot's file name without its folder and extension.
export const shortName = (name) => name.split('/').pop().replace(/^embedded:/, '').replace(/\.heapsnapshot(\.gz)?$/, '');

// where writes a source location: the script's last path segment and the
// line, or with full the whole script name, line and column.
export function where(l, full = false) {
  const script = l.script || `script ${l.scriptId}`;
  if (full) return `${script}:${l.line}:${l.column}`;
  return `${script.split('/').pop()}:${l.line}`;
}
