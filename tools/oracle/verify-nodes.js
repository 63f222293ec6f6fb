#!/usr/bin/env node
'use strict';
// heapscope: adapted from the team's reference oracle (shared/oracle/verify-nodes.js); unchanged.

// Usage: node verify-nodes.js ID.oracle.json[.gz] ID.nodes.ndjson[.gz]
//
// Independent re-derivation (no DevTools code) of the oracle's class
// aggregates from its per-node file, to check that the per-node file is
// self-consistent and to document the aggregation rules in ~60 lines:
//   * count/self: over nodes with self_size > 0 (DevTools-adjusted self size)
//   * distance: min node distance in the class
//   * retained: walk the dominator tree from the root; a node with
//     self_size > 0 adds its retained_size to its class unless an ancestor in
//     the dominator tree (with self_size > 0) has the same class
//   * retained_size(node) = self_size(node) + sum of retained_size of the nodes
//     it immediately dominates
// Compares with the oracle's classesByName and exits non-zero on mismatch.
const fs = require('node:fs');
const zlib = require('node:zlib');

const read = f => {
  let b = fs.readFileSync(f);
  if (f.endsWith('.gz')) {
    b = zlib.gunzipSync(b);
  }
  return b.toString('utf8');
};

const [oracleFile, nodesFile] = process.argv.slice(2);
const oracle = JSON.parse(read(oracleFile));
const lines = read(nodesFile).split('\n').filter(Boolean);
const cols = JSON.parse(lines[0]).columns;
const C = Object.fromEntries(cols.map((c, i) => [c, i]));
const rows = lines.slice(1).map(l => JSON.parse(l));
const n = rows.length;
const idToOrd = new Map(rows.map((r, i) => [r[C.id], i]));
const dom = rows.map(r => idToOrd.get(r[C.dominator_id]));
const rootOrd = dom.findIndex((d, i) => d === i);

const problems = [];
// 1. retained_size = self_size + sum(children retained)
const childSum = new Float64Array(n);
const children = Array.from({length: n}, () => []);
for (let i = 0; i < n; i++) {
  if (i !== rootOrd) {
    childSum[dom[i]] += rows[i][C.retained_size];
    children[dom[i]].push(i);
  }
}
let badRet = 0;
for (let i = 0; i < n; i++) {
  if (rows[i][C.retained_size] !== rows[i][C.self_size] + childSum[i]) {
    badRet++;
  }
}
if (badRet) {
  problems.push(`${badRet} nodes with retained != self + dominated retained`);
}
// 2. class aggregates by name
const agg = new Map();
for (let i = 0; i < n; i++) {
  const r = rows[i];
  if (!r[C.self_size]) {
    continue;
  }
  const name = r[C.class_name];
  let a = agg.get(name);
  if (!a) {
    agg.set(name, a = {name, count: 0, distance: Infinity, self: 0, retained: 0});
  }
  a.count++;
  a.self += r[C.self_size];
  a.distance = Math.min(a.distance, r[C.distance]);
}
const onPath = new Map();
const stack = [[rootOrd, 0]];
const enter = i => {
  const r = rows[i];
  const name = r[C.class_name];
  const counted = r[C.self_size] > 0 && !(onPath.get(name) > 0);
  if (counted) {
    agg.get(name).retained += r[C.retained_size];
  }
  if (r[C.self_size] > 0) {
    onPath.set(name, (onPath.get(name) || 0) + 1);
  }
};
const leave = i => {
  const r = rows[i];
  if (r[C.self_size] > 0) {
    onPath.set(r[C.class_name], onPath.get(r[C.class_name]) - 1);
  }
};
enter(rootOrd);
while (stack.length) {
  const top = stack[stack.length - 1];
  const kids = children[top[0]];
  if (top[1] < kids.length) {
    const c = kids[top[1]++];
    enter(c);
    stack.push([c, 0]);
  } else {
    stack.pop();
    leave(top[0]);
  }
}
const expected = new Map(oracle.classesByName.map(a => [a.name, a]));
let mism = 0;
for (const [name, a] of agg) {
  const e = expected.get(name);
  if (!e || e.count !== a.count || e.self !== a.self || e.retained !== a.retained || e.distance !== a.distance) {
    if (mism++ < 10) {
      problems.push(`class ${JSON.stringify(name)}: derived ${JSON.stringify(a)} oracle ${JSON.stringify(e)}`);
    }
  }
}
if (expected.size !== agg.size) {
  problems.push(`class count derived ${agg.size} oracle ${expected.size}`);
}
const rootRet = rows[rootOrd][C.retained_size];
if (rootRet !== oracle.totals.rootRetainedSize) {
  problems.push(`root retained ${rootRet} vs ${oracle.totals.rootRetainedSize}`);
}
const out = {nodes: n, classes: agg.size, classMismatches: mism, problems};
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(problems.length ? 1 : 0);
