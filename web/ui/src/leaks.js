// The leak findings over all loaded snapshots (heapscope leaks): the verdict,
// and each finding with its chain drawn root to object.
import { useEffect, useState } from 'preact/hooks';
import { html, api, num, size, signedSize, href, SourceLink } from './lib.js';
import { Chain } from './objects.js';
import { HeapChart } from './heap.js';

const growth = (g) => g.map((d) => (d >= 0 ? '+' : '') + num(d)).join(', ');

// title is what a finding is about: its headline (what the user must change),
// or its class when the analysis named none; verb agrees with it.
const title = (f) => f.headline || f.class;
const verb = (f) => (/^(listeners|entries) of /.test(title(f)) ? 'accumulate' : 'accumulates');
const sentence = (s) => (s ? s[0].toUpperCase() + s.slice(1) : '');
const originText = (w) => (w.origin === 'app' ? 'your code' : w.origin === 'dependency' ? 'dependency' + (w.package ? ' ' + w.package : '') : 'runtime');

// whereRows are a finding's locations as the reports show them (the
// server's where rows, report.WhereRow), or built from the locations.
function whereRows(f, rows) {
  // The server's rows are the locations' in order: each keeps its location for the source link.
  if (rows) return rows.map((w, j) => ({ ...w, loc: f.locations && f.locations[j] }));
  return (f.locations || []).map((l) => ({ loc: l,
    role: l.role, name: l.name || '(anonymous)', place: `${l.script || 'script ' + l.scriptId}:${l.line}:${l.column}`,
    origin: l.origin || 'app', package: l.package, fixSite: l.fixSite,
  }));
}

// MAX_RELATED is report.MaxRelated: a request leak drags twenty classes
// along; the first ones are listed, the rest folded.
const MAX_RELATED = 8;
const relatedList = (list) => list.map((x, j) => html`${j ? ', ' : ''}<span class="mono">${x.class}</span> (${growth(x.countGrowth)})`);

function Related({ list }) {
  const more = list.slice(MAX_RELATED);
  return html`<p class="related" data-testid="related">${relatedList(list.slice(0, MAX_RELATED))}</p>
    ${more.length ? html`<details class="holders"><summary>${more.length} more</summary><p class="related">${relatedList(more)}</p></details>` : ''}`;
}

function WhereTable({ rows, s }) {
  return html`<table class="plain where"><thead><tr><th></th><th>Role</th><th>Name</th><th>Location</th><th>Code</th></tr></thead><tbody>
    ${rows.map((w) => html`<tr class=${'o-' + w.origin + (w.fixSite ? ' fixsite' : '')} data-testid=${w.fixSite ? 'fix-site' : null}>
      <td class="mark">${w.fixSite ? '▶' : ''}</td><td>${w.role}</td><td class="mono">${w.name}</td>
      <td class="mono place">${w.loc && w.loc.scriptId !== undefined ? html`<${SourceLink} s=${s} loc=${w.loc}>${w.place}<//>` : w.place}${w.fixSite ? html`<span class="badge bad">fix here</span>` : ''}</td><td class="muted small">${originText(w)}</td></tr>`)}</tbody></table>`;
}

// Where lists the locations people act on, the user's code first as the
// analysis ranked them, the fix site marked; the holders (functions on the
// way from the roots to the container) behind a toggle.
function Where({ rows, s }) {
  // As report.SplitWhere: the holders folded away, unless no other row is
  // the user's code: then the user's holders (a listener whose closure holds
  // the Map) come first.
  const main = rows.filter((w) => w.role !== 'holder');
  const appHolders = rows.filter((w) => w.role === 'holder' && w.origin === 'app');
  const anyApp = main.some((w) => w.origin === 'app');
  const shown = anyApp ? main : [...appHolders, ...main];
  const holders = rows.filter((w) => w.role === 'holder' && (anyApp || w.origin !== 'app'));
  if (!rows.length) return '';
  return html`<h3>${shown.some((w) => w.origin === 'app') ? 'Where (your code first)' : 'Where (none of it in your code)'}</h3>
    ${shown.length ? html`<${WhereTable} rows=${shown} s=${s} />` : ''}
    ${holders.length
      ? html`<details class="holders" data-testid="holders"><summary>${holders.length} function${holders.length > 1 ? 's' : ''} on the way from the roots to the container (holders)</summary><${WhereTable} rows=${holders} s=${s} /></details>`
      : ''}`;
}

// layout lays a finding's chain out as the reports print it (the server's
// layout rows, object.Chain.Layout): runs of hops alike folded into one hop
// with a count, the middle of a chain still too long left out.
function layout(hops, rows) {
  if (!rows) return hops;
  return rows.map((r) => (r.gap ? { gap: true, elided: r.n, edge: '', node: {} } : r.n > 1 ? { ...hops[r.hop], elided: r.n } : hops[r.hop]));
}

export function LeaksView({ snaps, samples }) {
  const [r, setR] = useState(null);
  const [err, setErr] = useState(null);
  useEffect(() => {
    api('/api/leaks').then(setR, (e) => setErr(e.message));
  }, []);
  if (snaps.length < 2) return html`<div class="page"><div class="card muted">Leak findings need two or more snapshots of one process, in the order they were taken: <span class="mono">heapscope serve S1 S2 S3</span>.</div></div>`;
  if (err) return html`<div class="page"><div class="error-box">${err}</div></div>`;
  if (!r) return html`<div class="page"><div class="muted">Comparing ${snaps.length} snapshots…</div></div>`;
  const last = r.snapshot;
  const f0 = r.findings[0];
  return html`<div class="page" data-testid="leaks">
    ${f0
      ? html`<div class="verdict leak" data-testid="verdict">LEAK: ${title(f0)} ${verb(f0)} (${growth(f0.countGrowth)} per step)${r.findings.length > 1 ? `; the biggest of ${r.findings.length} findings` : ''}
          <small>${f0.pattern ? sentence(f0.pattern.title || f0.pattern.id) + '. ' : ''}${num(f0.newAlive)} ${f0.class} objects allocated after the first snapshot are still alive; retained size ${signedSize(f0.retainedGrowth)}.</small></div>`
      : html`<div class="verdict ok" data-testid="verdict">No leak<small>No class grew by ${num(r.minGrowth)} or more objects at every step with new objects still alive.</small></div>`}
    ${samples ? html`<h2>Heap used over time</h2><div class="card"><${HeapChart} /></div>` : ''}
    <h2>Snapshots</h2>
    <table class="plain">
      <thead><tr><th>#</th><th>Snapshot</th><th class="num">Objects</th><th class="num">Total size</th><th></th></tr></thead>
      <tbody>${r.snapshots.map((s, k) => html`<tr><td>${k + 1}</td><td class="mono sname" title=${s.name}>${s.name}</td><td class="num">${num(s.nodes)}</td><td class="num">${size(s.totalSize)}</td>
        <td><a href=${href(['s', String(k), 'summary'])}>Summary</a>${k > 0 ? html` · <a href=${href(['compare', String(k - 1), String(k)])}>compare with #${k}</a>` : ''}</td></tr>`)}</tbody>
    </table>
    ${r.findings.map((f, k) => {
      const hops = f.path.map((st) => ({ edge: st.edge, node: { id: st.id, class: st.class, name: st.name, type: '', self: st.self, retained: st.retained } }));
      const acc = f.accumulationPoint;
      return html`<section class="card finding" data-testid="finding">
        <h2>#${k + 1} ${title(f)} <span class="badge bad">${growth(f.countGrowth)} per step</span>
          <span class="links small"><a href=${href(['s', String(last), 'summary'], { filter: f.class })}>in the Summary</a> · <a href=${href(['compare', '0', String(last)], { filter: f.class })}>compare first → last</a> · <a href=${href(['s', String(last), 'object', String(f.representative.id)])}>object @${f.representative.id}</a></span></h2>
        ${f.pattern
          ? html`<div class="pattern" data-testid="pattern" data-pattern=${f.pattern.id}><p><b>${sentence(f.pattern.title || f.pattern.id)}</b>${f.pattern.summary ? ': ' + f.pattern.summary : ''}</p>${f.pattern.advice ? html`<p class="fix"><b>Fix:</b> ${f.pattern.advice}</p>` : ''}</div>`
          : ''}
        <div class="facts">
          <div><b>${title(f) === f.class ? 'Count' : f.class + ' objects'}</b>${f.counts.map(num).join(' → ')}</div>
          <div><b>${title(f) === f.class ? 'Retained' : f.class + ' retained'}</b>${f.retained.map(size).join(' → ')}</div>
          <div><b>Retained growth</b>${signedSize(f.retainedGrowth)}</div>
          <div><b>New objects alive</b>${num(f.newAlive)}</div>
          <div><b>Held by this chain</b>${Math.round(100 * f.share)}% of those sampled</div>
        </div>
        <h3>Retained by (root first)</h3>
        <${Chain} s=${last} hops=${layout(hops, r.layouts && r.layouts[k])} acc=${acc && acc.id} testid="chain" />
        ${acc ? html`<p class="accnote">The growth accumulates in <a href=${href(['s', String(last), 'object', String(acc.id)])}>${acc.class} @${acc.id}</a>: retained ${acc.retainedBySnapshot.map(size).join(' → ')} across the snapshots.</p>` : ''}
        ${f.related && f.related.length ? html`<h3>Growing with it</h3><${Related} list=${f.related} />` : ''}
        <${Where} rows=${whereRows(f, r.where && r.where[k])} s=${last} />
        ${f.allocationStack && f.allocationStack.length
          ? html`<h3>Allocated at</h3><ol class="mono small">${f.allocationStack.map((fr) => html`<li>${fr.function || '(anonymous)'} <span class="muted">${fr.script}:${fr.line}:${fr.column}</span></li>`)}</ol>`
          : ''}
      </section>`;
    })}
  </div>`;
}
