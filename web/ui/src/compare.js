// The Comparison view: DevTools' Comparison of a target snapshot against a
// base (objects matched by V8 id); a class expands to its new and deleted objects.
import { useState } from 'preact/hooks';
import { html, api, num, signedNum, size, signedSize, href, setParams, shortName, where, SourceLink } from './lib.js';
import { node, useTree, TreeTable } from './tree.js';
import { objectNode, objectCells, RetainersPane } from './objects.js';

export function CompareView({ snaps, base, target, params }) {
  const sort = params.get('sort') || 'retained';
  const filter = params.get('filter') || '';
  const [sel, setSel] = useState(null);
  const [meta, setMeta] = useState(null);
  const valid = base !== target && snaps[base] && snaps[target];
  const tree = useTree(
    () =>
      node({
        depth: -1,
        load: async (offset, limit) => {
          if (!valid) return { items: [], total: 0 };
          const r = await api(`/api/compare/${base}/${target}`, { sort, filter, offset, limit });
          setMeta(r);
          return r;
        },
        child: (c, p) =>
          node({
            kind: 'class',
            depth: 0,
            data: { cls: c },
            load: async () => {
              const groups = [];
              if (c.addedCount) groups.push({ which: 'new', count: c.addedCount, s: target });
              if (c.removedCount) groups.push({ which: 'deleted', count: c.removedCount, s: base });
              return { items: groups, total: groups.length };
            },
            child: (g, p2) =>
              node({
                kind: 'group',
                depth: 1,
                data: { group: g },
                load: (offset, limit) => api(`/api/compare/${base}/${target}/classes/${c.id}/objects`, { which: g.which, offset, limit }),
                child: (o, p3) => objectNode(g.s, o, p3, null, g.which === 'new' ? 'instance' : 'deleted'),
              }),
          }),
      }),
    [base, target, sort, filter],
  );
  const pick = (which) => (e) => {
    const v = Number(e.target.value);
    location.hash = href(['compare', String(which === 'base' ? v : base), String(which === 'target' ? v : target)], { sort, filter });
  };
  const columns = [
    { title: 'Constructor', width: 'minmax(240px, 1fr)' },
    { title: '# New', width: '84px', align: 'right', help: 'Objects only the target has' },
    { title: '# Deleted', width: '96px', align: 'right', help: 'Objects only the base has' },
    { title: '# Delta', width: '88px', align: 'right', sort: 'count', help: 'Sort by the change of the count' },
    { title: 'Alloc. Size', width: '96px', align: 'right', help: 'Shallow size of the new objects' },
    { title: 'Freed Size', width: '96px', align: 'right', help: 'Shallow size of the deleted objects' },
    { title: 'Size Delta', width: '100px', align: 'right', sort: 'size', help: 'Sort by the change of the shallow size' },
    { title: 'Retained Delta', width: '120px', align: 'right', sort: 'retained', help: 'Sort by the change of the class retained size' },
  ];
  const total = snaps[target] ? snaps[target].totals.totalSize : 0;
  const delta = (v, fmt) => html`<span class=${v > 0 ? 'up' : v < 0 ? 'down' : 'muted'}>${fmt(v)}</span>`;
  const cells = (n) => {
    if (n.kind === 'class') {
      const c = n.data.cls;
      return [
        html`<span class="cls-row"><span class="cname">${c.name}</span>${c.location ? html`<span class="loc"><${SourceLink} s=${target} loc=${c.location} title=${'constructor at ' + where(c.location, true) + ': show the source'}>${where(c.location)}<//></span>` : ''}${!c.inComparison ? html`<span class="badge subtle" title="No object new or deleted: only the retained size changed">retained only</span>` : ''}</span>`,
        num(c.addedCount),
        num(c.removedCount),
        delta(c.countDelta, signedNum),
        size(c.addedSize),
        size(c.removedSize),
        delta(c.sizeDelta, signedSize),
        delta(c.retainedDelta, signedSize),
      ];
    }
    if (n.kind === 'group') {
      const g = n.data.group;
      return [html`<span class=${'group ' + g.which}>${g.which === 'new' ? 'New objects' : 'Deleted objects'} <span class="muted">(${num(g.count)}, in ${g.which === 'new' ? 'the target' : 'the base'})</span></span>`, '', '', '', '', '', '', ''];
    }
    const o = n.data.node;
    return [objectCells(n, total)[0], '', '', '', html`<span title="shallow size">${size(o.self)}</span>`, '', '', html`<span title="retained size" class="muted">${size(o.retained)}</span>`];
  };
  const selObj = sel && sel.data.node;
  const label = (k) => `#${k + 1} ${shortName(snaps[k].name)}`;
  return html`<div class="view split">
    <div class="toolbar">
      <label>Base <select value=${base} onChange=${pick('base')} data-testid="base" title=${snaps[base] ? snaps[base].name : ''}>${snaps.map((x, k) => html`<option value=${k} title=${x.name}>${label(k)}</option>`)}</select></label>
      <label>Target <select value=${target} onChange=${pick('target')} data-testid="target" title=${snaps[target] ? snaps[target].name : ''}>${snaps.map((x, k) => html`<option value=${k} title=${x.name}>${label(k)}</option>`)}</select></label>
      <input type="search" class="filter" placeholder="Filter classes" aria-label="Filter classes" value=${filter} onChange=${(e) => setParams({ filter: e.target.value })} />
      <span class="muted">${meta ? `${num(meta.total)} classes changed` : ''}</span>
      <span class="grow"></span>
      ${meta && snaps[base] && snaps[target] ? html`<span class="muted small">Total ${size(snaps[base].totals.totalSize)} → ${size(snaps[target].totals.totalSize)} (${signedSize(snaps[target].totals.totalSize - snaps[base].totals.totalSize)})</span>` : ''}
    </div>
    ${!valid ? html`<div class="error-box">Choose two different snapshots.</div>` : ''}
    ${meta && meta.warnings.length ? html`<div class="warn-box">${meta.warnings.join('; ')}</div>` : ''}
    <div class="main-pane">
      <${TreeTable} tree=${tree} columns=${columns} cells=${cells} sort=${sort} onSort=${(k) => setParams({ sort: k })} selected=${sel} onSelect=${setSel}
        onOpen=${(n) => (n.data.node ? (location.hash = href(['s', String(n.data.s), 'object', String(n.data.node.id)])) : tree.toggle(n))}
        empty="No class changed." testid="comparison" label="Comparison" />
    </div>
    ${selObj ? html`<${RetainersPane} s=${sel.data.s} obj=${selObj} total=${snaps[sel.data.s].totals.totalSize} />` : html`<div class="pane hint muted">Select an object to see what retains it.</div>`}
  </div>`;
}
