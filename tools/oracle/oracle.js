#!/usr/bin/env node
'use strict';
// heapscope: adapted from the team's reference oracle (shared/oracle/oracle.js); added --no-timing (elapsedMs stays 0 so golden files are reproducible).

// Usage: node oracle.js SNAPSHOT[.gz] [--nodes OUT.ndjson[.gz]] [--no-by-name] [--no-timing] > out.json
//
// Ground truth computed by the Chrome DevTools frontend's own heap snapshot
// worker code (chrome-devtools-frontend, pinned in package.json):
//   * totals: node/edge counts, DevTools "total size" (root retained size +
//     extra_native_bytes), statistics (the Statistics pie chart)
//   * classes: Summary-view aggregates ("All objects"): count, distance,
//     shallow (self) size, retained size, keyed exactly as DevTools keys them
//   * classesByName: the same algorithm keyed by class name only
//   * with --nodes: one NDJSON line per node, in snapshot order (line k+2 is
//     node ordinal k; line 1 is a header object naming the columns).
//
// See README.md for the precise semantics of each number.

const fs = require('node:fs');
const zlib = require('node:zlib');
const crypto = require('node:crypto');
const path = require('node:path');
const dtl = require('./lib/devtools.js');

function parseArgs(argv) {
  const args = {file: null, nodes: null, byName: true, timing: true};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--nodes') {
      args.nodes = argv[++i];
    } else if (a === '--no-by-name') {
      args.byName = false;
    } else if (a === '--no-timing') {
      args.timing = false;
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node oracle.js SNAPSHOT[.gz] [--nodes OUT.ndjson[.gz]] > out.json\n');
      process.exit(0);
    } else if (!args.file) {
      args.file = a;
    } else {
      throw new Error('unexpected argument ' + a);
    }
  }
  if (!args.file) {
    throw new Error('usage: node oracle.js SNAPSHOT[.gz] [--nodes OUT.ndjson[.gz]] > out.json');
  }
  return args;
}

function sha256OfUncompressed(file) {
  let buf = fs.readFileSync(file);
  if (file.endsWith('.gz')) {
    buf = zlib.gunzipSync(buf);
  }
  return {sha256: crypto.createHash('sha256').update(buf).digest('hex'), bytes: buf.length};
}

async function writeNodes(out, snapshot, rawSelfSizes) {
  const columns = [
    'id', 'type', 'distance', 'dominator_id', 'self_size', 'raw_self_size', 'retained_size', 'class_name',
    'detachedness',
  ];
  let sink = fs.createWriteStream(out);
  let target = sink;
  if (out.endsWith('.gz')) {
    target = zlib.createGzip({level: 9});
    target.pipe(sink);
  }
  const write = s => (target.write(s) ? null : new Promise(r => target.once('drain', r)));
  await write(JSON.stringify({
    columns,
    note: 'one line per node in snapshot order; dominator_id of the root is its own id',
  }) + '\n');
  const node = snapshot.createNode(0);
  const dom = snapshot.createNode(0);
  let buf = '';
  for (let ordinal = 0; ordinal < snapshot.nodeCount; ordinal++) {
    node.nodeIndex = ordinal * snapshot.nodeFieldCount;
    dom.nodeIndex = node.dominatorIndex();
    buf += JSON.stringify([
      node.id(), node.type(), node.distance(), dom.id(), node.selfSize(), rawSelfSizes[ordinal],
      node.retainedSize(), node.className(), node.detachedness(),
    ]) + '\n';
    if (buf.length > 1 << 20) {
      const p = write(buf);
      buf = '';
      if (p) {
        await p;
      }
    }
  }
  if (buf) {
    await write(buf);
  }
  await new Promise((resolve, reject) => {
    sink.on('finish', resolve);
    sink.on('error', reject);
    target.end();
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const {dt, snapshot, rawSelfSizes, problems} = await dtl.loadSnapshot(args.file);
  const header = snapshot.profile.snapshot;
  const meta = header.meta;

  let sumRaw = 0;
  for (let i = 0; i < rawSelfSizes.length; i++) {
    sumRaw += rawSelfSizes[i];
  }
  let sumSelf = 0;
  let unreachable = 0;
  let systemDistance = 0;
  const node = snapshot.createNode(0);
  for (let i = 0; i < snapshot.nodeCount; i++) {
    node.nodeIndex = i * snapshot.nodeFieldCount;
    sumSelf += node.selfSize();
    const d = node.distance();
    if (d === -5) {
      unreachable++;
    } else if (d >= dt.HeapSnapshotModel.baseSystemDistance) {
      systemDistance++;
    }
  }

  const root = snapshot.rootNode();
  const classes = dtl.sortAggregates(dtl.summaryAggregates(snapshot));
  const result = {
    oracle: {
      tool: 'chrome-devtools-frontend front_end/entrypoints/heap_snapshot_worker (JSHeapSnapshot)',
      devtoolsFrontendVersion: dtl.devtoolsVersion(),
      node: process.version,
      elapsedMs: 0,
    },
    snapshot: {
      file: path.basename(args.file),
      ...sha256OfUncompressed(args.file),
      title: header.title,
      node_fields: meta.node_fields,
      node_types: meta.node_types[0],
      edge_fields: meta.edge_fields,
      // DevTools appends 'invisible' to the edge type list in place; report the file's list.
      edge_types: meta.edge_types[0].slice(0, meta.edge_types[0].lastIndexOf('invisible')),
      location_fields: meta.location_fields || null,
      sample_fields: meta.sample_fields || null,
      trace_function_info_fields: meta.trace_function_info_fields || null,
      trace_node_fields: meta.trace_node_fields || null,
      extra_keys: Object.keys(meta).filter(k => ![
        'node_fields', 'node_types', 'edge_fields', 'edge_types', 'location_fields', 'sample_fields',
        'trace_function_info_fields', 'trace_node_fields',
      ].includes(k)),
      node_count: header.node_count,
      edge_count: header.edge_count,
      trace_function_count: header.trace_function_count || 0,
      extra_native_bytes: header.extra_native_bytes ?? null,
      root_index: header.root_index ?? null,
      locations_count: (snapshot.profile.locations || []).length / Math.max(1, (meta.location_fields || []).length),
      samples_count: (snapshot.profile.samples || []).length / 2,
    },
    totals: {
      nodeCount: snapshot.nodeCount,
      edgeCount: snapshot.containmentEdges.length / snapshot.edgeFieldsCount,
      rootId: root.id(),
      rootRetainedSize: root.retainedSize(),
      totalSize: snapshot.totalSize,
      sumRawSelfSize: sumRaw,
      sumSelfSizeAfterDevToolsShallowSizes: sumSelf,
      nodesWithSystemDistance: systemDistance,
      nodesUnreachable: unreachable,
      statistics: snapshot.getStatistics(),
      classCount: classes.length,
      problems,
    },
    interfaceDefinitions: JSON.parse(snapshot.interfaceDefinitions()),
    classes,
  };
  if (result.snapshot.trace_function_count) {
    // DevTools' Allocation view (bottom-up allocation trace tops), from AllocationProfile.
    result.allocationTracesTops = snapshot.allocationTracesTops();
  }
  if (args.byName) {
    result.classesByName = dtl.sortAggregates(dtl.aggregatesByName(snapshot, dt));
  }
  if (args.nodes) {
    await writeNodes(args.nodes, snapshot, rawSelfSizes);
  }
  result.oracle.elapsedMs = args.timing ? Date.now() - t0 : 0;
  process.stdout.write(JSON.stringify(result, null, 1) + '\n');
}

main().catch(e => {
  console.error(e && e.stack || e);
  process.exit(1);
});
