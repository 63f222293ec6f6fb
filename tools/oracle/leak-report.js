#!/usr/bin/env node
'use strict';
// heapscope: adapted from the team's reference oracle (shared/oracle/leak-report.js); unchanged.

// Usage: node leak-report.js [--top N] [--min-delta D] [--class NAME ...] SNAP1 [SNAP2 ...] > report.json
// (with a single snapshot only the --class retainer analysis is meaningful)
//
// Leak ground truth for a series of snapshots taken from ONE process, computed
// with DevTools' own code:
//   * comparison: DevTools' Comparison view of each snapshot against the
//     previous one (base.aggregatesForDiff(target.interfaceDefinitions()) +
//     target.calculateSnapshotDiff()), per class key: # New, # Deleted,
//     # Delta, Alloc. Size, Freed Size, Size Delta
//   * growth: per class name, Summary count/self/retained in every snapshot,
//     for classes whose count grows monotonically (by >= min-delta overall)
//   * allocatedBetween: the 3-snapshot technique: in the last snapshot, the
//     Summary with DevTools' "Objects allocated between Snapshot k-2 and k-1"
//     filter (NodeFilter(minNodeId=maxJSObjectId(k-2), maxNodeId=maxJSObjectId(k-1)))
//   * retainers: for each growing class, the retainer chain DevTools'
//     Retainers pane auto-expands for new instances in the last snapshot,
//     normalised to a signature; the most frequent signature + a concrete example.

const path = require('node:path');
const dtl = require('./lib/devtools.js');

const HEAD_STEPS = 2;

function parseArgs(argv) {
  const args = {top: 8, minDelta: 10, classes: [], files: [], samples: 40};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--top') {
      args.top = Number(argv[++i]);
    } else if (a === '--min-delta') {
      args.minDelta = Number(argv[++i]);
    } else if (a === '--class') {
      args.classes.push(argv[++i]);
    } else if (a === '--samples') {
      args.samples = Number(argv[++i]);
    } else {
      args.files.push(a);
    }
  }
  if (args.files.length < 1) {
    throw new Error('need at least one snapshot');
  }
  return args;
}

function edgeLabel(name, type) {
  switch (type) {
    case 'context':
      return '->' + name;
    case 'element':
      return '[' + name + ']';
    case 'weak':
      return '[[' + name + ']]';
    case 'property':
      return String(name).indexOf(' ') === -1 ? '.' + name : '["' + name + '"]';
    case 'shortcut':
      return /^\d+$/.test(String(name)) ? '[' + name + ']' : '.' + name;
    default:
      return '{' + name + '}';
  }
}

function normalizeEdge(name, type) {
  // element / hidden indexes vary between instances
  if (type === 'element' || type === 'hidden') {
    return edgeLabel('n', type);
  }
  if (type === 'internal' && /^\d+( \/ |$)/.test(String(name))) {
    return edgeLabel(String(name).replace(/^\d+/, 'n').replace(/@\d+/g, '@n'), type);
  }
  return edgeLabel(name, type);
}

function summarizeChain(chain) {
  return chain.map(step => ({
    edge: edgeLabel(step.edgeName, step.edgeType),
    edgeType: step.edgeType,
    node: `${step.node.name} @${step.node.id}`,
    className: step.node.className,
    distance: step.node.distance,
  }));
}

function chainSignature(chain) {
  return chain.map(step => `${normalizeEdge(step.edgeName, step.edgeType)} in ${step.node.className}`).join(' <- ');
}

function maxJsNodeId(snapshot) {
  return snapshot.updateStaticData().maxJSObjectId;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const loaded = [];
  for (const f of args.files) {
    const {dt, snapshot} = await dtl.loadSnapshot(f);
    loaded.push({file: path.basename(f), dt, snapshot, maxJSObjectId: maxJsNodeId(snapshot)});
  }
  const dt = loaded[0].dt;

  // Summary per snapshot, by name (DevTools algorithm keyed by class name) and by key.
  const byName = loaded.map(l => new Map(dtl.aggregatesByName(l.snapshot, dt).map(a => [a.name, a])));
  const byKey = loaded.map(l => new Map(dtl.summaryAggregates(l.snapshot).map(a => [a.key, a])));

  const snapshots = loaded.map((l, i) => ({
    file: l.file,
    nodeCount: l.snapshot.nodeCount,
    edgeCount: l.snapshot.containmentEdges.length / l.snapshot.edgeFieldsCount,
    totalSize: l.snapshot.totalSize,
    maxJSObjectId: l.maxJSObjectId,
    classCount: byKey[i].size,
  }));

  // Comparison view of consecutive snapshots.
  const comparisons = [];
  for (let i = 1; i < loaded.length; i++) {
    const base = loaded[i - 1].snapshot;
    const target = loaded[i].snapshot;
    const baseAgg = base.aggregatesForDiff(target.interfaceDefinitions());
    const diff = target.calculateSnapshotDiff(`base${i - 1}`, baseAgg);
    const rows = Object.entries(diff).map(([key, d]) => ({
      key,
      name: d.name,
      addedCount: d.addedCount,
      removedCount: d.removedCount,
      countDelta: d.countDelta,
      addedSize: d.addedSize,
      removedSize: d.removedSize,
      sizeDelta: d.sizeDelta,
    }));
    rows.sort((a, b) => b.sizeDelta - a.sizeDelta || b.countDelta - a.countDelta);
    comparisons.push({
      rowsForClasses: rows.filter(r => args.classes.includes(r.name)),
      base: loaded[i - 1].file,
      target: loaded[i].file,
      topBySizeDelta: rows.slice(0, 25),
      topByCountDelta: rows.slice().sort((a, b) => b.countDelta - a.countDelta || b.sizeDelta - a.sizeDelta).slice(0, 25),
    });
  }

  // Monotonic growth by class name.
  const names = new Set();
  byName.forEach(m => m.forEach((_, k) => names.add(k)));
  const growth = [];
  for (const name of names) {
    const counts = byName.map(m => (m.get(name) ? m.get(name).count : 0));
    let monotonic = true;
    for (let i = 1; i < counts.length; i++) {
      if (counts[i] <= counts[i - 1]) {
        monotonic = false;
      }
    }
    const delta = counts[counts.length - 1] - counts[0];
    if (!monotonic || delta < args.minDelta) {
      continue;
    }
    growth.push({
      name,
      counts,
      self: byName.map(m => (m.get(name) ? m.get(name).self : 0)),
      retained: byName.map(m => (m.get(name) ? m.get(name).retained : 0)),
      countDelta: delta,
      perStepCountDelta: counts.slice(1).map((c, i) => c - counts[i]),
    });
  }
  growth.sort((a, b) => b.countDelta - a.countDelta || (b.retained.at(-1) - b.retained[0]) - (a.retained.at(-1) - a.retained[0]));

  // 3-snapshot technique.
  let allocatedBetween = null;
  if (loaded.length >= 3) {
    const last = loaded[loaded.length - 1].snapshot;
    const minNodeId = loaded[loaded.length - 3].maxJSObjectId;
    const maxNodeId = loaded[loaded.length - 2].maxJSObjectId;
    const agg = last.aggregatesWithFilter({minNodeId, maxNodeId});
    const rows = Object.entries(agg).map(([key, a]) => ({
      key, name: a.name, count: a.count, self: a.self, retained: a.maxRet,
    })).sort((a, b) => b.count - a.count || b.retained - a.retained);
    allocatedBetween = {
      rowsForClasses: rows.filter(r => args.classes.includes(r.name)),
      inSnapshot: loaded[loaded.length - 1].file,
      filter: `Objects allocated between ${loaded[loaded.length - 3].file} and ${loaded[loaded.length - 2].file}`,
      minNodeId,
      maxNodeId,
      top: rows.slice(0, 25),
    };
  }

  // Retainer chains for growing classes in the last snapshot.
  const last = loaded[loaded.length - 1];
  const firstMaxId = loaded[0].maxJSObjectId;
  const wanted = args.classes.length ? args.classes : growth.slice(0, args.top).map(g => g.name);
  const retainers = [];
  for (const name of wanted) {
    const proto = dt.HeapSnapshotNode.prototype;
    const orig = proto.classKeyInternal;
    proto.classKeyInternal = function() {
      return this.classIndex();
    };
    let idxs;
    try {
      const agg = last.snapshot.getAggregatesByClassKey(true, 'oracle-by-name');
      const entry = Object.values(agg).find(a => a.name === name);
      idxs = entry ? entry.idxs.slice() : [];
    } finally {
      proto.classKeyInternal = orig;
    }
    const node = last.snapshot.createNode(0);
    const fresh = idxs.filter(i => {
      node.nodeIndex = i;
      return node.id() > firstMaxId;
    });
    const pool = fresh.length ? fresh : idxs;
    const step = Math.max(1, Math.floor(pool.length / args.samples));
    const sample = [];
    for (let i = 0; i < pool.length && sample.length < args.samples; i += step) {
      sample.push(pool[i]);
    }
    const sigs = new Map();
    for (const idx of sample) {
      const chain = dtl.retainerChain(last.snapshot, dt, idx);
      const sig = chainSignature(chain);
      let s = sigs.get(sig);
      if (!s) {
        node.nodeIndex = idx;
        s = {signature: sig, count: 0, example: {id: node.id(), name: node.name(), chain: summarizeChain(chain)}};
        sigs.set(sig, s);
      }
      s.count++;
    }
    const ranked = Array.from(sigs.values()).sort((a, b) => b.count - a.count);
    // Representative instance: among the sampled new instances, take the most
    // common "head" (first HEAD_STEPS=2 normalised steps of the chain, i.e. the retainers
    // closest to the object), then the instance with that head that is closest
    // to the roots (min distance, then min id); its complete chain follows
    // DevTools' auto-expand rule past the UI's 20 levels, up to distance 1.
    const headCount = new Map();
    const headOf = new Map();
    for (const idx of sample) {
      const chain = dtl.retainerChain(last.snapshot, dt, idx, HEAD_STEPS);
      const head = chainSignature(chain);
      headOf.set(idx, head);
      headCount.set(head, (headCount.get(head) || 0) + 1);
    }
    let bestHead = null;
    for (const [h, c] of headCount) {
      if (bestHead === null || c > headCount.get(bestHead)) {
        bestHead = h;
      }
    }
    let nearest = -1;
    let nearestDist = Infinity;
    let nearestId = Infinity;
    for (const idx of pool) {
      node.nodeIndex = idx;
      const d = node.distance();
      if (d < 0 || d > nearestDist || (d === nearestDist && node.id() >= nearestId)) {
        continue;
      }
      let head = headOf.get(idx);
      if (head === undefined) {
        head = chainSignature(dtl.retainerChain(last.snapshot, dt, idx, HEAD_STEPS));
      }
      if (head !== bestHead) {
        continue;
      }
      nearest = idx;
      nearestDist = d;
      nearestId = node.id();
    }
    let nearestInstance = null;
    if (nearest >= 0) {
      node.nodeIndex = nearest;
      const chain = dtl.retainerChain(last.snapshot, dt, nearest, 100000);
      nearestInstance = {
        id: node.id(),
        name: node.name(),
        distance: nearestDist,
        selfSize: node.selfSize(),
        retainedSize: node.retainedSize(),
        signature: chainSignature(chain),
        chain: summarizeChain(chain),
        // Root-to-object reading of the same chain. Each step's edge goes from
        // that step's node to the next node to the right.
        rootToObject: (() => {
          const rev = [...chain].reverse();
          const fmt = st => (st.node.name === st.node.className ? `${st.node.name} @${st.node.id}` :
                                                                  `${st.node.name} (${st.node.className}) @${st.node.id}`);
          let out = rev.length && rev[0].node.distance === 1 ? '(root) -> ' : '... -> ';
          rev.forEach(st => {
            out += `${fmt(st)} -[${edgeLabel(st.edgeName, st.edgeType)}]-> `;
          });
          const nm = node.name();
          return out + (nm === name ? `${nm} @${node.id()}` : `${nm} (${name}) @${node.id()}`);
        })(),
      };
    }
    retainers.push({
      className: name,
      instances: idxs.length,
      newInstances: fresh.length,
      sampled: sample.length,
      signatures: ranked.slice(0, 3),
      dominantHead: bestHead,
      dominantHeadShare: bestHead === null ? 0 : headCount.get(bestHead) / sample.length,
      nearestInstance,
    });
  }

  // Summary rows of the requested classes in every snapshot, by name and by DevTools key.
  const classes = args.classes.map(name => ({
    name,
    byName: byName.map(m => m.get(name) || {name, count: 0, distance: null, self: 0, retained: 0}),
    byKey: byKey.map(m => Array.from(m.values()).filter(a => a.name === name)),
  }));

  process.stdout.write(JSON.stringify({
    oracle: {tool: 'chrome-devtools-frontend', devtoolsFrontendVersion: dtl.devtoolsVersion(), node: process.version},
    snapshots,
    classes,
    growth: growth.slice(0, 40),
    comparisons,
    allocatedBetween,
    retainers,
  }, null, 1) + '\n');
}

main().catch(e => {
  console.error(e && e.stack || e);
  process.exit(1);
});
