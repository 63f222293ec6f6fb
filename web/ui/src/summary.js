// The Summary view: DevTools' class table; a class expands to its instances
// (paged from the server), an instance to its references.
import { useEffect, useState } from 'preact/hooks';
import { html, api, num, distance, setParams, href, where, SourceLink } from './lib.js';
import { node, useTree, TreeTable } from './tree.js';
import { objectNode, objectCells, sizeCell, RetainersPane } from './objects.js';

const instanceSort = { retained: 'retained', self: 'self', distance: 'distance', count: 'retained', name: 'id' };

export function SummaryView({ snaps, s, params }) {
  const sort = params.get('sort') || 'retained';
  const reverse = params.get('reverse') === '1';
  const filter = params.get('filter') || '';
  const total = snaps[s].totals.totalSize;
  const [sel, setSel] = useState(null);
  const [text, setText] = useState(filter);
  useEffect(() => setText(filter), [filter]);
  useEffect(() => setSel(null), [s]);
  // Filter as one types, a moment after the last key.
  useEffect(() => {
    if (text === filter) return;
    const t = setTimeout(() => setParams({ filter: text }), 200);
    return () => clearTimeout(t);
  }, [text]);

  const tree = useTree(
    () =>
      node({
        depth: -1,
        load: (offset, limit) => api(`/api/snapshots/${s}/summary`, { sort, reverse: reverse ? 1 : '', filter, offset, limit }),
        child: (c, p) =>
          node({
            kind: 'class',
            depth: 0,
            data: { s, cls: c },
            load: (offset, limit) => api(`/api/snapshots/${s}/classes/${c.id}/instances`, { sort: instanceSort[sort], reverse: reverse ? 1 : '', offset, limit }),
            child: (o, p2) => objectNode(s, o, p2, null, 'instance'),
          }),
      }),
    [s, sort, reverse, filter],
  );
  const onSort = (k) => setParams({ sort: k, reverse: k === sort && !reverse ? '1' : '' });
  const columns = [
    { title: 'Constructor', width: 'minmax(280px, 1fr)', sort: 'name' },
    { title: 'Distance', width: '80px', align: 'right', sort: 'distance' },
    { title: 'Count', width: '90px', align: 'right', sort: 'count' },
    { title: 'Shallow Size', width: '150px', align: 'right', sort: 'self' },
    { title: 'Retained Size', width: '150px', align: 'right', sort: 'retained' },
  ];
  const cells = (n) => {
    if (n.kind === 'class') {
      const c = n.data.cls;
      return [
        html`<span class="cls-row"><span class="cname">${c.name}</span><span class="count">×${num(c.count)}</span>${c.location ? html`<span class="loc"><${SourceLink} s=${s} loc=${c.location} title=${'constructor at ' + where(c.location, true) + ': show the source'}>${where(c.location)}<//></span>` : ''}</span>`,
        distance(c.distance),
        num(c.count),
        sizeCell(c.self, total),
        sizeCell(c.retained, total),
      ];
    }
    const [label, dist, self, ret] = objectCells(n, total);
    return [label, dist, '', self, ret];
  };
  const selObj = sel && sel.data && sel.data.node;
  const info = tree && tree.root.children ? tree.root.total : null;
  return html`<div class="view split">
    <div class="toolbar">
      <input type="search" class="filter" placeholder="Filter classes" aria-label="Filter classes" value=${text} onInput=${(e) => setText(e.target.value)} data-testid="filter" />
      <span class="muted">${info === null ? '' : `${num(info)} of ${num(snaps[s].classCount)} classes`}</span>
      <span class="grow"></span>
      <span class="muted small">Click a column to sort; double-click an object to open it.</span>
    </div>
    <div class="main-pane">
      <${TreeTable} tree=${tree} columns=${columns} cells=${cells} sort=${sort} reverse=${reverse} onSort=${onSort} selected=${sel} onSelect=${setSel}
        onOpen=${(n) => (n.data.node ? (location.hash = href(['s', String(s), 'object', String(n.data.node.id)])) : tree.toggle(n))}
        empty=${filter ? 'No class matches the filter.' : 'No classes.'} testid="summary" label="Summary" />
    </div>
    ${selObj ? html`<${RetainersPane} s=${s} obj=${selObj} total=${total} />` : html`<div class="pane hint muted">Select an object to see what retains it.</div>`}
  </div>`;
}
