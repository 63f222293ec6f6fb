// Object rows shared by the tree views, the retainers pane and the object page.
import { useEffect, useState } from 'preact/hooks';
import { html, api, size, percent, distance, num, nodeName, objectHref, href, SourceLink } from './lib.js';
import { node, useTree, TreeTable, PAGE } from './tree.js';

// edgesLoader pages through an object's outgoing references.
export const edgesLoader = (s, id) => (offset, limit) => api(`/api/snapshots/${s}/objects/${id}/edges`, { offset, limit });
export const retainersLoader = (s, id) => (offset, limit) => api(`/api/snapshots/${s}/objects/${id}/retainers`, { offset, limit });
export const dominatedLoader = (s, id) => (offset, limit) => api(`/api/snapshots/${s}/objects/${id}/dominated`, { offset, limit });

// objectNode is an object row (data: {node, edge?}) that expands to its references.
export function objectNode(s, obj, parent, edge, kind = 'object') {
  return node({
    kind,
    depth: parent.depth + 1,
    data: { s, node: obj, edge: edge ? edge.name : '', edgeType: edge ? edge.type : '' },
    load: obj.edges ? edgesLoader(s, obj.id) : null,
    child: (e, p) => objectNode(s, e.node, p, e, 'edge'),
  });
}

// retainerNode is a retainers-tree row that expands to the retainers of its object.
export function retainerNode(s, e, parent) {
  return node({
    kind: 'retainer',
    depth: parent.depth + 1,
    data: { s, node: e.node, edge: e.name, edgeType: e.type },
    load: retainersLoader(s, e.node.id),
    child: (x, p) => retainerNode(s, x, p),
  });
}

// dominatorNode is a dominator-tree row that expands to the objects it dominates.
export function dominatorNode(s, hop, parent) {
  return node({
    kind: 'dominator',
    depth: parent.depth + 1,
    data: { s, node: hop.node, edge: hop.edge },
    load: hop.node.dominated ? dominatedLoader(s, hop.node.id) : null,
    child: (x, p) => dominatorNode(s, x, p),
  });
}

const isString = (n) => n.type === 'string' || n.type === 'concatenated string' || n.type === 'sliced string';

// ObjectLabel shows "edge :: name @id" with badges, and a link to the object page.
export function ObjectLabel({ s, n, edge, edgeType, link = true }) {
  // Spaces between the parts, so that copied text reads "edge :: name (Class) @id".
  const name = nodeName(n);
  return html`<span class="obj">${edge ? html`<span class=${'edge et-' + (edgeType || '')}>${edge}</span><span class="sep"> :: </span>` : ''}<span class=${'nm t-' + (n.type || '').replace(/ /g, '-')} title=${n.name}>${name}</span>${n.class !== name && !isString(n) ? html` <span class="cls">${/^\(.*\)$/.test(n.class) ? n.class : '(' + n.class + ')'}</span>` : ''} <span class="id">@${n.id}</span>${n.detached ? html` <span class="badge warn">detached</span>` : ''}${link ? html` <a class="go" href=${objectHref(s, n.id)} title="Open the object page" onClick=${(e) => e.stopPropagation()}>↗</a>` : ''}</span>`;
}

// sizeCell is a size with its share of the snapshot total.
export const sizeCell = (b, total) => html`<span title=${num(b) + ' bytes'}>${size(b)}</span><span class="pct">${percent(b, total)}</span>`;

// objectCells are the cells of an object row for the Object/Distance/Shallow/Retained columns.
export function objectCells(n, total) {
  const o = n.data.node;
  return [html`<${ObjectLabel} s=${n.data.s} n=${o} edge=${n.data.edge} edgeType=${n.data.edgeType} />`, distance(o.distance), sizeCell(o.self, total), sizeCell(o.retained, total)];
}

export const objectColumns = (first = 'Object') => [
  { title: first, width: 'minmax(260px, 1fr)' },
  { title: 'Distance', width: '80px', align: 'right' },
  { title: 'Shallow Size', width: '150px', align: 'right' },
  { title: 'Retained Size', width: '150px', align: 'right' },
];

// Chain draws a retainer path root first; a hop with elided > 0 stands for
// a run of that many hops alike (folded), one with gap for hops left out.
export function Chain({ s, hops, acc, testid }) {
  return html`<ol class="chain" data-testid=${testid}>
    ${hops.map((h, j) =>
      h.gap
        ? html`<li class="elided gap"><span class="edge"></span><span class="muted">… ${num(h.elided)} hops …</span><span></span></li>`
        : h.elided
        ? html`<li class="elided"><span class="edge">${h.edge}</span><span class="muted">${h.node.class} <b class="count">×${num(h.elided)}</b></span><span></span></li>`
        : html`<li class=${(j === 0 ? 'first' : '') + (j === hops.length - 1 ? ' target' : '') + (acc && acc === h.node.id ? ' acc' : '')}>
            <span class="edge">${h.edge || 'root'}</span>
            <span class="chain-obj"><${ObjectLabel} s=${s} n=${h.node} />${acc && acc === h.node.id ? html`<span class="badge accb">accumulation point</span>` : ''}</span>
            <span class="sz">${size(h.node.self)} / ${size(h.node.retained)}</span>
          </li>`,
    )}
  </ol>`;
}

// RetainersPane shows why an object is alive: its shortest retainer path and
// a retainers tree (DevTools' Retainers pane), expanded along that path.
export function RetainersPane({ s, obj, total }) {
  const [path, setPath] = useState(null);
  const [sel, setSel] = useState(null);
  const tree = useTree(() => node({ depth: -1, load: retainersLoader(s, obj.id), child: (x, p) => retainerNode(s, x, p) }), [s, obj.id]);
  useEffect(() => {
    setPath(null);
    api(`/api/snapshots/${s}/objects/${obj.id}/paths`, { k: 1 })
      .then((r) => setPath(r))
      .catch((e) => setPath({ paths: [], note: e.message }));
  }, [s, obj.id]);
  // Expand the tree along the shortest path, as DevTools does.
  useEffect(() => {
    if (!tree || !path || !path.paths.length || tree.root.loading) return;
    const hops = path.paths[0].filter((h) => !h.elided).reverse().slice(1); // object's retainer first
    let cancelled = false;
    (async () => {
      let at = tree.root;
      for (const h of hops.slice(0, 24)) {
        if (cancelled || !at.children) return;
        const next = at.children.find((c) => c.data.node.id === h.node.id);
        if (!next) return;
        await tree.expand(next);
        at = next;
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [tree, path, tree && tree.root.children]);
  return html`<div class="pane" data-testid="retainers">
    <div class="pane-head"><b>Retainers</b> of <${ObjectLabel} s=${s} n=${obj} /></div>
    ${path && path.paths.length
      ? html`<div class="crumbs" title="The shortest path from a GC root">${path.paths[0].map((h, j) => html`${j ? html`<span class="edge">${h.edge}</span>` : ''}<a href=${objectHref(s, h.node.id)}>${h.elided ? `${h.node.class} ×${num(h.elided)}` : nodeName(h.node)}</a>`)}</div>`
      : path && path.note
        ? html`<div class="crumbs muted">${path.note}</div>`
        : ''}
    <${TreeTable} tree=${tree} columns=${objectColumns('Retainer')} cells=${(n) => objectCells(n, total)} selected=${sel} onSelect=${setSel}
      onOpen=${(n) => (location.hash = objectHref(s, n.data.node.id))} empty="No retainers." testid="retainers-tree" label="Retainers" />
  </div>`;
}

// ObjectPage: everything about one object.
export function ObjectPage({ snaps, s, id }) {
  const [o, setO] = useState(null);
  const [err, setErr] = useState(null);
  const [paths, setPaths] = useState(null);
  const total = snaps[s].totals.totalSize;
  useEffect(() => {
    setO(null);
    setErr(null);
    setPaths(null);
    api(`/api/snapshots/${s}/objects/${id}`).then(setO, (e) => setErr(e.message));
    api(`/api/snapshots/${s}/objects/${id}/paths`, { k: 3 }).then(setPaths, (e) => setPaths({ paths: [], note: e.message }));
  }, [s, id]);
  const [selE, setSelE] = useState(null);
  const [selR, setSelR] = useState(null);
  const [selD, setSelD] = useState(null);
  const edges = useTree(() => node({ depth: -1, load: edgesLoader(s, id), child: (e, p) => objectNode(s, e.node, p, e, 'edge') }), [s, id]);
  const rets = useTree(() => node({ depth: -1, load: retainersLoader(s, id), child: (x, p) => retainerNode(s, x, p) }), [s, id]);
  const doms = useTree(() => node({ depth: -1, load: dominatedLoader(s, id), child: (x, p) => dominatorNode(s, x, p) }), [s, id]);
  if (err) return html`<div class="page"><div class="error-box">${err}</div></div>`;
  if (!o) return html`<div class="page"><div class="muted">Loading…</div></div>`;
  const n = o.node;
  const open = (x) => (location.hash = objectHref(s, x.data.node.id));
  const chain = [...o.dominators.head, ...o.dominators.tail];
  return html`<div class="page" data-testid="object-page">
    <div class="card obj-head">
      <div class="title"><span class=${'nm t-' + (n.type || '').replace(/ /g, '-')}>${nodeName(n)}</span> <span class="id">@${n.id}</span>
        ${n.detached ? html`<span class="badge warn">detached</span>` : ''}</div>
      <div class="facts">
        <div><b>Class</b>${n.class}</div>
        <div><b>Type</b>${n.type}</div>
        <div><b>Distance</b>${distance(n.distance)}</div>
        <div><b>Shallow size</b>${size(n.self)} <span class="muted">${percent(n.self, total)}</span></div>
        <div><b>Retained size</b>${size(n.retained)} <span class="muted">${percent(n.retained, total)}</span></div>
        <div><b>References</b>${num(n.edges)}</div>
        <div><b>Retainers</b>${num(o.retainers)}</div>
        <div><b>Dominates</b>${num(n.dominated)}</div>
        ${o.detachedness !== 'unknown' ? html`<div><b>DOM</b>${o.detachedness}</div>` : ''}
        ${o.location ? html`<div class="wide"><b>Source</b><span class="mono"><${SourceLink} s=${s} loc=${o.location}>${o.location.script || 'script ' + o.location.scriptId}:${o.location.line}:${o.location.column}<//></span></div>` : ''}
      </div>
      ${n.type === 'string' || n.type === 'concatenated string' || n.type === 'sliced string' ? html`<pre class="strval">${n.name}</pre>` : ''}
      ${o.allocationStack.length
        ? html`<div class="alloc"><b>Allocated at</b><ol>${o.allocationStack.map((f) => html`<li class="mono">${f.function || '(anonymous)'} <span class="muted">${f.script}:${f.line}:${f.column}</span></li>`)}</ol></div>`
        : ''}
    </div>

    <h2>Retainer paths <span class="muted small">shortest first, root first</span></h2>
    ${!paths
      ? html`<div class="muted">Searching…</div>`
      : paths.paths.length
        ? paths.paths.map((p, k) => html`<div class="card"><div class="muted small">Path ${k + 1}: ${num(p.reduce((a, h) => a + (h.elided ? h.elided : 1), 0))} steps</div><${Chain} s=${s} hops=${p} testid=${'path-' + k} /></div>`)
        : html`<div class="card muted">${paths.note || 'No path.'}</div>`}

    <h2>Dominator chain <span class="muted small">${o.dominators.depth === 1 ? '1 dominator: the root' : num(o.dominators.depth) + ' dominators, root first; freeing any of them frees this object'}</span></h2>
    <div class="card crumbs">
      ${chain.map((d, j) => html`${j ? html`<span class="sep">›</span>` : ''}${j === o.dominators.head.length && o.dominators.elided ? html`<span class="muted">… ${num(o.dominators.elided)} more</span><span class="sep">›</span>` : ''}<a href=${objectHref(s, d.id)} title=${size(d.retained) + ' retained'}>${nodeName(d)}</a>`)}
      ${chain.length ? html`<span class="sep">›</span>` : ''}<b>${nodeName(n)}</b>
      <a class="small" style="margin-left:12px" href=${href(['s', String(s), 'dominators', String(n.id)])}>dominator tree ↗</a>
    </div>

    <div class="grid2">
      <section><h2>References <span class="muted small">${num(n.edges)}</span></h2>
        <div class="boxed"><${TreeTable} tree=${edges} columns=${objectColumns('Reference')} cells=${(x) => objectCells(x, total)} selected=${selE} onSelect=${setSelE} onOpen=${open} empty="No references." testid="edges" label="References" /></div></section>
      <section><h2>Retainers <span class="muted small">${num(o.retainers)}</span></h2>
        <div class="boxed"><${TreeTable} tree=${rets} columns=${objectColumns('Retainer')} cells=${(x) => objectCells(x, total)} selected=${selR} onSelect=${setSelR} onOpen=${open} empty="No retainers." testid="retainers-list" label="Retainers" /></div></section>
    </div>
    <section><h2>Dominates <span class="muted small">${num(n.dominated)} objects freed with it, biggest first</span></h2>
      <div class="boxed"><${TreeTable} tree=${doms} columns=${objectColumns('Object')} cells=${(x) => objectCells(x, total)} selected=${selD} onSelect=${setSelD} onOpen=${open} empty="It dominates no object." testid="dominated" label="Dominated objects" /></div></section>
  </div>`;
}

export { PAGE };
