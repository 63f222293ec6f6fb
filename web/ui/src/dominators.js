// The dominator tree: each object with the objects that would be freed with
// it, biggest retained size first.
import { useState } from 'preact/hooks';
import { html, api, href } from './lib.js';
import { node, useTree, TreeTable } from './tree.js';
import { dominatorNode, objectCells, objectColumns, RetainersPane } from './objects.js';

export function DominatorsView({ snaps, s, id }) {
  const snap = snaps[s];
  const start = id || String(snap.rootId);
  const total = snap.totals.totalSize;
  const [sel, setSel] = useState(null);
  const tree = useTree(
    () =>
      node({
        depth: -1,
        load: async () => {
          const o = await api(`/api/snapshots/${s}/objects/${start}`);
          return { items: [{ edge: '', node: o.node }], total: 1 };
        },
        child: (hop, p) => {
          const n = dominatorNode(s, hop, p);
          n.autoExpand = true;
          return n;
        },
      }),
    [s, start],
  );
  const selObj = sel && sel.data.node;
  return html`<div class="view split">
    <div class="toolbar">
      <span class="muted">Dominator tree${id ? html` below @${id} · <a href=${href(['s', String(s), 'dominators'])}>from the root</a>` : ''}: each object holds the objects below it alive; freeing it frees them all.</span>
    </div>
    <div class="main-pane">
      <${TreeTable} tree=${tree} columns=${objectColumns('Object')} cells=${(n) => objectCells(n, total)} selected=${sel} onSelect=${setSel}
        onOpen=${(n) => (location.hash = href(['s', String(s), 'object', String(n.data.node.id)]))} testid="dominators" label="Dominator tree" />
    </div>
    ${selObj ? html`<${RetainersPane} s=${s} obj=${selObj} total=${total} />` : html`<div class="pane hint muted">Select an object to see what retains it.</div>`}
  </div>`;
}
