#!/usr/bin/env node
// gen-heap.js — build a realistic, deterministic JS object graph of roughly the requested
// snapshot size and write it with require('v8').writeHeapSnapshot().
//
// Usage:
//   node --expose-gc --max-old-space-size=16000 bench/gen-heap.js <targetMB> <out.heapsnapshot>
//
// The size is approximate (usually within ~5 %): the graph is built from "workspaces", each of
// which adds a roughly constant amount of snapshot (BYTES_PER_WORKSPACE, calibrated on node 20 /
// V8 11.3), plus long linked chains that take CHAIN_SHARE of the target. Output is
// deterministic for a given target and node version (seeded PRNG, no wall-clock data).
//
// Per workspace:
//   * 10 Members (class Member): unique name/email strings (cons/sliced/flat), a roles array of
//     shared interned strings, a Preferences object holding a Map, a `contacts` array that links
//     members to each other (cycles), and a closure `onChange` capturing the member (context).
//   * 5 Invoices (class Invoice) with 1..7 Line objects pointing into a shared SKU catalog, a back
//     pointer to the member (cycle), a Set of discount codes, a float amount, a nested meta object.
//   * a tree of 18 widgets from 24 dynamically created classes Widget0..Widget23 with parent
//     pointers (tree + back edges).
//   * a small random digraph of Vertex objects (cycles, self loops).
//   * a closure registered on a global Dispatcher that captures workspace data (leak pattern),
//     and a string-keyed Map cache that sometimes holds Uint8Array / ArrayBuffer payloads.
// Global: a catalog of 1500 Sku objects, and 4 long linked lists (class Link) that make the
// dominator tree deep and retainer paths long.
'use strict';
const v8 = require('v8');
const fs = require('fs');

const targetMB = Number(process.argv[2]);
const out = process.argv[3];
if (!(targetMB > 0) || !out) {
  console.error('usage: node --max-old-space-size=16000 gen-heap.js <targetMB> <out.heapsnapshot>');
  process.exit(2);
}

// Calibration (node v20, V8 11.3, ~60 MiB snapshot): bytes of .heapsnapshot per workspace / per chain link, and
// the fixed cost of an empty Node process (builtins, code, etc.).
const BYTES_PER_WORKSPACE = 31400;
const BYTES_PER_LINK = 95;
const FIXED_BYTES = 4.7e6;
const CHAIN_SHARE = 0.08;
const NCHAINS = 4;

// Larger snapshots need more digits per node id / edge target, so the cost per object grows
// slowly with size (measured: +2.9 % at 250 MiB relative to the 60 MiB calibration).
const growth = 1 + 0.014 * Math.max(0, Math.log2(targetMB / 60));
const target = targetMB * 1048576 / growth;
const usable = Math.max(0, target - FIXED_BYTES);
const chainLen = Math.max(1000, Math.min(400000, Math.round((usable * CHAIN_SHARE) / NCHAINS / BYTES_PER_LINK)));
const workspaces = Math.max(1, Math.round((usable - NCHAINS * chainLen * BYTES_PER_LINK) / BYTES_PER_WORKSPACE));

// xorshift128+-ish deterministic PRNG (sfc32)
let a = 0x243f6a88, b = 0x85a308d3, c = 0x13198a2e, d = 0x03707344;
function rand() {
  a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
  let t = (a + b) | 0;
  a = b ^ (b >>> 9);
  b = (c + (c << 3)) | 0;
  c = (c << 21) | (c >>> 11);
  d = (d + 1) | 0;
  t = (t + d) | 0;
  c = (c + t) | 0;
  return (t >>> 0) / 4294967296;
}
const randInt = (n) => Math.floor(rand() * n);
const choose = (arr) => arr[randInt(arr.length)];

const SYLL = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'da', 'fi', 'go', 'hu', 'ja', 'pe', 'qu'];
const ROLES = ['admin', 'editor', 'viewer', 'owner', 'billing', 'support', 'auditor', 'guest'].map((r) => 'role/' + r);
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south', 'ap-northeast', 'sa-east'];
const word = () => choose(SYLL) + choose(SYLL) + choose(SYLL);

class Sku {
  constructor(i) {
    this.code = 'SKU' + String(i).padStart(6, '0');
    this.label = word() + ' ' + word();
    this.unitPrice = Math.round(rand() * 50000) / 100;
    this.dims = { w: rand() * 100, h: rand() * 100, region: choose(REGIONS) };
  }
}
class Preferences {
  constructor(m) {
    this.owner = m;
    this.motto = rand() < 0.35 ? `${m.name} says ${word()} ${word()} ${word()}` : '';
    this.flags = new Map([['tz', choose(REGIONS)], ['dark', rand() < 0.5], ['digest', randInt(4)]]);
  }
}
class Member {
  constructor(w, i) {
    this.seq = w * 100 + i;
    this.name = 'member-' + w + '-' + i;
    this.email = this.name.toUpperCase() + '@' + word() + '.test';
    this.roles = [choose(ROLES), choose(ROLES)];
    this.prefs = new Preferences(this);
    this.contacts = [];
    this.invoices = [];
    this.karma = rand() * 500;
    const me = this;
    this.onChange = function memberChanged(delta) { me.karma += delta; return me.seq; };
  }
}
class Line {
  constructor(sku, n) { this.sku = sku; this.count = n; this.amount = sku.unitPrice * n; }
}
class Invoice {
  constructor(m, k) {
    this.ref = `INV/${m.seq}/${k}`;
    this.member = m;
    this.lines = [];
    const n = 1 + randInt(7);
    for (let i = 0; i < n; i++) this.lines.push(new Line(choose(catalog), 1 + randInt(9)));
    this.amount = this.lines.reduce((s, l) => s + l.amount, 0);
    this.discounts = new Set(rand() < 0.25 ? ['PROMO' + randInt(40), 'LOYAL'] : []);
    this.meta = { issued: 1.7e12 + randInt(1e9), region: choose(REGIONS), memo: rand() < 0.15 ? 'memo ' + this.ref : undefined };
  }
}
class Vertex { constructor(i) { this.tag = 'v' + i; this.out = []; this.cost = randInt(1000); } }
class Link { constructor(payload, next) { this.payload = payload; this.next = next; } }
class Dispatcher {
  constructor() { this.handlers = new Map(); }
  subscribe(topic, fn) {
    let list = this.handlers.get(topic);
    if (list === undefined) this.handlers.set(topic, (list = []));
    list.push(fn);
  }
}
class Workspace {
  constructor(i) {
    this.index = i;
    this.slug = 'ws-' + i.toString(36);
    this.members = [];
    this.invoices = [];
    this.widgets = null;
    this.vertices = [];
  }
}

// 24 distinct constructor names, created at run time
const WIDGETS = [];
for (let k = 0; k < 24; k++) {
  WIDGETS.push(new Function('k', `return class Widget${k} {
    constructor(parent, v) { this.parent = parent; this.kids = []; this.v = v; this.kind = k; this.layout = { x: v, y: k, visible: true }; }
  }`)(k));
}

const catalog = [];
for (let i = 0; i < 1500; i++) catalog.push(new Sku(i));
const world = { workspaces: [], catalog, dispatcher: new Dispatcher(), cache: new Map(), chains: [] };
globalThis.__HEAPSCOPE_BENCH__ = world;

function addWorkspace(w) {
  const ws = new Workspace(w);
  for (let i = 0; i < 10; i++) ws.members.push(new Member(w, i));
  for (const m of ws.members) for (let j = 0; j < 3; j++) m.contacts.push(choose(ws.members));
  for (let k = 0; k < 5; k++) {
    const m = choose(ws.members);
    const inv = new Invoice(m, k);
    m.invoices.push(inv);
    ws.invoices.push(inv);
  }
  const top = new WIDGETS[w % 24](null, w);
  const all = [top];
  for (let i = 0; i < 17; i++) {
    const parent = choose(all);
    const kid = new WIDGETS[randInt(24)](parent, i);
    parent.kids.push(kid);
    all.push(kid);
  }
  ws.widgets = top;
  for (let i = 0; i < 7; i++) ws.vertices.push(new Vertex(i));
  for (const v of ws.vertices) { v.out.push(choose(ws.vertices)); v.out.push(choose(ws.vertices)); }
  const held = ws.invoices[0];
  world.dispatcher.subscribe('topic:' + (w % 48), function onEvent() { return held.amount + w; });
  if (w % 3 === 0) {
    const r = rand();
    const payload = r < 0.2 ? new Uint8Array(32 + randInt(256)) : r < 0.3 ? new ArrayBuffer(128) : ('x' + w).repeat(1 + randInt(6));
    world.cache.set('c:' + w, { payload, hits: randInt(100) });
  }
  world.workspaces.push(ws);
}

const t0 = Date.now();
for (let w = 0; w < workspaces; w++) addWorkspace(w);
for (let c = 0; c < NCHAINS; c++) {
  let head = null;
  for (let i = 0; i < chainLen; i++) head = new Link(i, head);
  world.chains.push(head);
}
const t1 = Date.now();
if (global.gc) global.gc();
const mem = process.memoryUsage();
console.error(`gen-heap: target ${targetMB} MB -> ${workspaces} workspaces, ${NCHAINS}x${chainLen} links; built in ${(t1 - t0) / 1000}s, heapUsed ${(mem.heapUsed / 1048576).toFixed(0)} MB, rss ${(mem.rss / 1048576).toFixed(0)} MB`);

const t2 = Date.now();
v8.writeHeapSnapshot(out);
const t3 = Date.now();

const size = fs.statSync(out).size;
const fd = fs.openSync(out, 'r');
const head = Buffer.alloc(4096);
fs.readSync(fd, head, 0, head.length, 0);
fs.closeSync(fd);
const meta = head.toString('latin1');
const num = (re) => { const m = re.exec(meta); return m ? Number(m[1]) : null; };
console.log(JSON.stringify({
  file: out, bytes: size, MiB: +(size / 1048576).toFixed(1), targetMB,
  node_count: num(/"node_count":(\d+)/), edge_count: num(/"edge_count":(\d+)/),
  workspaces, chains: NCHAINS, chainLen, build_s: (t1 - t0) / 1000, write_s: (t3 - t2) / 1000,
}));

// HEAPSCOPE_SERIES=N writes N-1 more snapshots of this same process, OUT-1 … OUT-(N-1)
// (before the extension), each after leaking 2% more workspaces: a series for `heapscope leaks`.
const series = Number(process.env.HEAPSCOPE_SERIES || 1);
for (let k = 1; k < series; k++) {
  const extra = Math.max(10, Math.round(workspaces * 0.02));
  const base = world.workspaces.length;
  for (let w = base; w < base + extra; w++) addWorkspace(w);
  if (global.gc) global.gc();
  const file = out.replace(/(\.heapsnapshot)?$/, `-${k}$1`);
  v8.writeHeapSnapshot(file);
  console.log(JSON.stringify({file, bytes: fs.statSync(file).size, leakedWorkspaces: extra}));
}
