// TreeTable: a DevTools-like tree grid, virtualized with
// @tanstack/virtual-core (fixed row height), whose children are fetched from
// the server a page at a time, so a class of millions of instances never puts
// more rows in the page than the user asked for.
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import { html, num } from './lib.js';

export const PAGE = 100;
const BIG_PAGE = 1000;

let nextKey = 1;

// node makes a tree node. load(offset, limit) resolves to {items, total};
// child(item, parent) turns an item into a node. A node without load is a leaf.
// autoExpand opens the node as soon as it is added.
export function node({ data = null, depth = 0, load = null, child = null, kind = 'row', key = null, autoExpand = false }) {
  return { key: key || 'n' + nextKey++, data, depth, load, child, kind, autoExpand, expanded: false, children: null, total: 0, loading: false, error: null };
}

// Tree holds a root node (not shown) and the expansion state; its version
// changes on every mutation so that components re-render.
export class Tree {
  constructor(root, onChange) {
    this.root = root;
    this.root.expanded = true;
    this.onChange = onChange;
  }

  changed() {
    this.onChange && this.onChange();
  }

  async fetch(n, count) {
    n.loading = true;
    n.error = null;
    this.changed();
    try {
      const have = n.children ? n.children.length : 0;
      const res = await n.load(have, count);
      const kids = res.items.map((it) => n.child(it, n));
      n.children = (n.children || []).concat(kids);
      n.total = res.total;
      for (const k of kids) if (k.autoExpand) this.expand(k);
    } catch (e) {
      n.error = String(e.message || e);
    }
    n.loading = false;
    this.changed();
  }

  // expand opens a node, fetching its first page; it resolves when loaded.
  async expand(n) {
    if (!n.load) return;
    n.expanded = true;
    if (!n.children) await this.fetch(n, PAGE);
    else this.changed();
  }

  collapse(n) {
    n.expanded = false;
    this.changed();
  }

  toggle(n) {
    return n.expanded ? this.collapse(n) : this.expand(n);
  }

  more(n, count) {
    return this.fetch(n, count);
  }

  // reload drops the root's children and fetches its first page again.
  reload() {
    this.root.children = null;
    return this.fetch(this.root, PAGE);
  }

  // rows lists the visible rows: nodes, and a "more" row after a node's
  // children when the server has more of them.
  rows() {
    const out = [];
    const walk = (n) => {
      if (!n.expanded) return;
      for (const c of n.children || []) {
        out.push({ node: c });
        walk(c);
      }
      if (n.loading) out.push({ loading: n });
      else if (n.error) out.push({ error: n });
      else if (n.children && n.children.length < n.total) out.push({ more: n });
    };
    walk(this.root);
    return out;
  }
}

// useTree makes a Tree that re-renders the component on every change.
export function useTree(makeRoot, deps) {
  const [, bump] = useReducer((x) => x + 1, 0);
  const [tree, setTree] = useState(null);
  useEffect(() => {
    const t = new Tree(makeRoot(), bump);
    setTree(t);
    t.fetch(t.root, PAGE);
    return () => {
      t.onChange = null;
    };
  }, deps);
  return tree;
}

const ROW = 24;

// TreeTable renders a Tree. columns: [{title, width, align, sort}] (sort: the
// key sent to onSort); cells(node) returns one cell per column, the first
// being the label. selected/onSelect track the selected node.
export function TreeTable({ tree, columns, cells, sort, reverse, onSort, selected, onSelect, onOpen, empty, testid, label }) {
  const scrollRef = useRef(null);
  const [, rerender] = useReducer((x) => x + 1, 0);
  const rows = tree ? tree.rows() : [];
  const opts = {
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    overscan: 16,
    onChange: () => rerender(),
  };
  const [v] = useState(() => new Virtualizer(opts));
  v.setOptions(opts);
  useLayoutEffect(() => v._didMount(), []);
  useLayoutEffect(() => {
    v._willUpdate();
  });
  const grid = columns.map((c) => c.width || '1fr').join(' ');
  const selIndex = rows.findIndex((r) => r.node && r.node === selected);

  const onKey = (e) => {
    if (!tree || !rows.length) return;
    const at = selIndex < 0 ? -1 : selIndex;
    const go = (i) => {
      i = Math.max(0, Math.min(rows.length - 1, i));
      while (i >= 0 && i < rows.length && !rows[i].node) i += e.key === 'ArrowUp' ? -1 : 1;
      if (rows[i] && rows[i].node) {
        onSelect && onSelect(rows[i].node);
        v.scrollToIndex(i, { align: 'auto' });
      }
    };
    if (e.key === 'ArrowDown') go(at + 1);
    else if (e.key === 'ArrowUp') go(at - 1);
    else if (e.key === 'ArrowRight' && selected && selected.load) tree.expand(selected);
    else if (e.key === 'ArrowLeft' && selected) {
      if (selected.expanded) tree.collapse(selected);
      else {
        const p = rows.slice(0, at).reverse().find((r) => r.node && r.node.depth < selected.depth);
        if (p) onSelect && onSelect(p.node);
      }
    } else if (e.key === 'Enter' && selected && onOpen) onOpen(selected);
    else return;
    e.preventDefault();
  };

  return html`<div class="tt" data-testid=${testid} role="treegrid" aria-label=${label}>
    <div class="tt-head" style=${{ gridTemplateColumns: grid }} role="row">
      ${columns.map(
        (c) => html`<div class=${'tt-th' + (c.align === 'right' ? ' num' : '') + (c.sort ? ' sortable' : '') + (sort && c.sort === sort ? ' sorted' : '')}
          role="columnheader" aria-sort=${sort && c.sort === sort ? (reverse ? 'ascending' : 'descending') : undefined}
          onClick=${c.sort && onSort ? () => onSort(c.sort) : undefined} title=${c.help || ''}>
          ${c.title}${sort && c.sort === sort ? html`<span class="arrow">${reverse ? '▲' : '▼'}</span>` : ''}
        </div>`,
      )}
    </div>
    <div class="tt-body" ref=${scrollRef} tabIndex="0" onKeyDown=${onKey}>
      ${!tree || (tree.root.loading && !tree.root.children)
        ? html`<div class="tt-msg">Loading…</div>`
        : tree.root.error
          ? html`<div class="tt-msg error">${tree.root.error}</div>`
          : rows.length === 0
            ? html`<div class="tt-msg">${empty || 'Nothing to show.'}</div>`
            : html`<div style=${{ height: v.getTotalSize() + 'px', position: 'relative' }}>
                ${v.getVirtualItems().map((vi) => {
                  const r = rows[vi.index];
                  const style = { transform: `translateY(${vi.start}px)`, gridTemplateColumns: grid };
                  if (!r.node) return html`<${SpecialRow} key=${vi.key} r=${r} tree=${tree} style=${style} />`;
                  const n = r.node;
                  const cs = cells(n);
                  return html`<div key=${n.key} role="row" aria-expanded=${n.load ? String(n.expanded) : undefined} aria-level=${n.depth + 1}
                      class=${'tt-row' + (n === selected ? ' selected' : '') + (n.kind ? ' k-' + n.kind : '')} style=${style}
                      onClick=${() => onSelect && onSelect(n)} onDblClick=${() => (onOpen ? onOpen(n) : tree.toggle(n))}>
                    <div class="tt-td tt-label" style=${{ paddingLeft: 6 + n.depth * 16 + 'px' }}>
                      ${n.load
                        ? html`<button class="twisty" aria-label=${n.expanded ? 'Collapse' : 'Expand'} onClick=${(e) => {
                            e.stopPropagation();
                            tree.toggle(n);
                          }}>${n.expanded ? '▾' : '▸'}</button>`
                        : html`<span class="twisty"></span>`}
                      <span class="lbl">${cs[0]}</span>
                    </div>
                    ${cs.slice(1).map((c, k) => html`<div class=${'tt-td' + (columns[k + 1].align === 'right' ? ' num' : '')}>${c}</div>`)}
                  </div>`;
                })}
              </div>`}
    </div>
  </div>`;
}

function SpecialRow({ r, tree, style }) {
  const n = r.more || r.loading || r.error;
  const pad = { paddingLeft: 6 + (n.depth + 1) * 16 + 22 + 'px' };
  if (r.loading) return html`<div class="tt-row special" style=${style}><div class="tt-td tt-span" style=${pad}>Loading…</div></div>`;
  if (r.error) return html`<div class="tt-row special error" style=${style}><div class="tt-td tt-span" style=${pad}>${n.error}</div></div>`;
  const left = n.total - n.children.length;
  return html`<div class="tt-row special" style=${style}>
    <div class="tt-td tt-span" style=${pad}>
      <button class="link" onClick=${() => tree.more(n, PAGE)}>Show ${num(Math.min(PAGE, left))} more</button>
      ${left > PAGE ? html` · <button class="link" onClick=${() => tree.more(n, BIG_PAGE)}>${num(Math.min(BIG_PAGE, left))} more</button>` : ''}
      <span class="muted"> · ${num(n.children.length)} of ${num(n.total)} shown</span>
    </div>
  </div>`;
}
