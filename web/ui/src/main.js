// heapscope's browser UI. Every view has a URL (hash routing):
//   #/s/S/summary?sort=retained&reverse=1&filter=Server   Summary of snapshot S
//   #/s/S/object/ID                                        object page
//   #/s/S/dominators[/ID]                                  dominator tree
//   #/compare/B/T?sort=size&filter=                        Comparison of T against B
//   #/s/S/source/SCRIPT/LINE?column=C                      source around a location
//   #/leaks                                                leak findings
//   #/heap                                                 heap usage over time
// With no route, the UI opens on the Leaks view when the series has
// findings, else on the Summary of the last snapshot.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html, api, route, href, size, num, shortName } from './lib.js';
import { SummaryView } from './summary.js';
import { ObjectPage } from './objects.js';
import { DominatorsView } from './dominators.js';
import { CompareView } from './compare.js';
import { LeaksView } from './leaks.js';
import { HeapChart } from './heap.js';
import { SourceView } from './source.js';
import './style.css';

function useRoute() {
  const [r, setR] = useState(route());
  useEffect(() => {
    const on = () => setR(route());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return r;
}

// CopyLink copies the address of the current view with the token: the
// browser's address holds none (the server swaps it for a cookie), so a
// copied address would open nowhere else. The token comes from /api/link.
function CopyLink() {
  const [state, setState] = useState('');
  const copy = async () => {
    try {
      const { token } = await api('/api/link');
      const link = `${location.origin}${location.pathname}?token=${encodeURIComponent(token)}${location.hash}`;
      try {
        await navigator.clipboard.writeText(link);
        setState('copied');
      } catch {
        window.prompt('Copy this link (it carries the token: share it only with people who may see the heap):', link);
        setState('');
      }
    } catch (e) {
      setState(e.message);
    }
    setTimeout(() => setState(''), 2500);
  };
  return html`<button class="link copylink small" onClick=${copy} data-testid="copy-link"
    title="Copy the address of this view with the token, to open it in another browser. The token gives access to the heap: share it only with people who may see it.">${state === 'copied' ? 'Copied ✓' : state || 'Copy link'}</button>`;
}

function App() {
  const [info, setInfo] = useState(null);
  const [err, setErr] = useState(null);
  // home is where an address with no route opens: the Leaks view when the
  // series has findings (asked once), else the Summary.
  const [home, setHome] = useState(null);
  const r = useRoute();
  useEffect(() => {
    api('/api/snapshots').then(setInfo, (e) => setErr(e.message));
  }, []);
  const atHome = !r.parts.length;
  useEffect(() => {
    if (!info || home || !atHome) return;
    if (info.snapshots.length < 2) return setHome('summary');
    api('/api/leaks').then((l) => setHome(l.findings && l.findings.length ? 'leaks' : 'summary'), () => setHome('summary'));
  }, [info, atHome]);
  if (err) return html`<div class="page"><div class="error-box">heapscope: ${err}</div></div>`;
  if (!info) return html`<div class="page muted">Loading…</div>`;
  if (atHome && !home) return html`<div class="page muted">Looking for leaks in ${info.snapshots.length} snapshots…</div>`;
  const snaps = info.snapshots;
  const last = snaps.length - 1;
  let [view, a, b, c, d] = r.parts;
  if (!view && home === 'leaks') view = 'leaks';
  if (!view) {
    view = 's';
    a = String(last);
    b = 'summary';
  }
  const sIdx = view === 's' ? Math.min(Math.max(0, Number(a) || 0), last) : last;
  let body;
  let tab;
  if (view === 's' && b === 'source' && c) {
    tab = 'source';
    body = html`<${SourceView} s=${sIdx} script=${c} line=${Math.max(1, Number(d) || 1)} column=${Number(r.params.get('column')) || undefined} />`;
  } else if (view === 's' && b === 'object' && c) {
    tab = 'object';
    body = html`<${ObjectPage} snaps=${snaps} s=${sIdx} id=${c} key=${sIdx + '/' + c} />`;
  } else if (view === 's' && b === 'dominators') {
    tab = 'dominators';
    body = html`<${DominatorsView} snaps=${snaps} s=${sIdx} id=${c} key=${sIdx + '/' + (c || '')} />`;
  } else if (view === 's') {
    tab = 'summary';
    body = html`<${SummaryView} snaps=${snaps} s=${sIdx} params=${r.params} />`;
  } else if (view === 'compare') {
    tab = 'compare';
    const base = a !== undefined ? Number(a) : Math.max(0, last - 1);
    const target = b !== undefined ? Number(b) : last;
    body = html`<${CompareView} snaps=${snaps} base=${base} target=${target} params=${r.params} />`;
  } else if (view === 'leaks') {
    tab = 'leaks';
    body = html`<${LeaksView} snaps=${snaps} samples=${info.samples} />`;
  } else if (view === 'heap') {
    tab = 'heap';
    body = html`<div class="page"><h2>Heap used over time</h2><div class="card"><${HeapChart} /></div></div>`;
  } else {
    body = html`<div class="page"><div class="error-box">No such view: ${location.hash}</div></div>`;
  }
  const perSnapshot = tab === 'summary' || tab === 'dominators' || tab === 'object' || tab === 'source';
  const cur = snaps[sIdx];
  const pickSnap = (e) => {
    const k = e.target.value;
    location.hash = href(['s', k, tab === 'dominators' ? 'dominators' : 'summary']);
  };
  const tabs = [
    ['summary', 'Summary', href(['s', String(sIdx), 'summary'])],
    ['compare', 'Comparison', href(['compare', String(Math.max(0, last - 1)), String(last)]), snaps.length > 1],
    ['dominators', 'Dominators', href(['s', String(sIdx), 'dominators'])],
    ['leaks', 'Leaks', href(['leaks']), snaps.length > 1],
    ['heap', 'Heap over time', href(['heap']), info.samples > 0],
  ];
  return html`<div class="app">
    <header class="top">
      <a class="brand" href="#/">heapscope</a>
      <nav>${tabs.filter((t) => t[3] !== false).map(([k, label, h]) => html`<a class=${'tab' + (tab === k ? ' active' : '')} href=${h} data-testid=${'tab-' + k}>${label}</a>`)}</nav>
      <span class="grow"></span>
      ${perSnapshot
        ? html`<select class="snap" value=${sIdx} onChange=${pickSnap} aria-label="Snapshot" data-testid="snapshot" title=${cur.name}>
            ${snaps.map((s, k) => html`<option value=${k} title=${s.name}>#${k + 1} ${shortName(s.name)} (${size(s.totals.totalSize)})</option>`)}
          </select>
          <span class="muted small totals">${num(cur.totals.nodeCount)} objects · ${size(cur.totals.totalSize)}</span>`
        : ''}
      <${CopyLink} />
    </header>
    ${body}
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
