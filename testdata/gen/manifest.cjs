'use strict';
// Usage: node manifest.cjs CORPUS_DIR SPEC > CORPUS_DIR/MANIFEST.json
// Builds heapscope's corpus manifest from corpus.spec and the oracle outputs written by golden.sh
// (ID.oracle.json.gz, SERIES.leak-report.json.gz). Everything numeric here is copied from the
// DevTools oracle's output; nothing is computed independently.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const [dir, specFile] = process.argv.slice(2);
if (!dir || !specFile) {
  throw new Error('usage: node manifest.cjs CORPUS_DIR SPEC');
}
const readGzJSON = f => JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, f))).toString('utf8'));

function classRow(oracle, name) {
  const rows = (oracle.classesByName || []).filter(r => r.name === name);
  if (!rows.length) {
    return {count: 0, self: 0, retained: 0, distance: null};
  }
  const r = rows[0];
  return {count: r.count, self: r.self, retained: r.retained, distance: r.distance};
}

const snapshots = [];
const series = [];
for (const raw of fs.readFileSync(specFile, 'utf8').split('\n')) {
  const line = raw.trim();
  if (!line || line.startsWith('#')) {
    continue;
  }
  const [name, kind, version, scenario, leak, watch, flags, ...batches] = line.split(/\s+/);
  // runtime column: a Node.js version, or chromium-MAJOR (headless Chromium over CDP).
  const chromium = version.startsWith('chromium-');
  const seriesId = chromium ? `${name}__${version}` : `${name}__node-${version}`;
  const runtime = chromium ? `chromium ${version.slice('chromium-'.length)} (headless)` : `node ${version}`;
  const browserFile = `${seriesId}.browser-version.json`;
  const browser = chromium && fs.existsSync(path.join(dir, browserFile)) ?
      (({product, revision, jsVersion}) => ({product, revision, jsVersion, file: browserFile}))(
          JSON.parse(fs.readFileSync(path.join(dir, browserFile), 'utf8'))) :
      null;
  const watchList = watch === '-' ? [] : watch.split(',').map(c => c.replace(/%20/g, ' '));
  const flagList = flags === '-' ? [] : flags.split(',');
  const expectedLeakClass = leak === '-' ? null : leak;
  const ids = [];
  let step = 0;
  for (const b of batches) {
    step += Number(b);
    const id = `${seriesId}__${step}`;
    ids.push(id);
    const oracle = readGzJSON(`${id}.oracle.json.gz`);
    const watched = {};
    for (const c of watchList) {
      watched[c] = classRow(oracle, c);
    }
    snapshots.push({
      id,
      runtime,
      nodeVersion: chromium ? null : version,
      nodeFlags: chromium ? null : ['--expose-gc', ...flagList],
      ...(chromium ? {browser, cdpSnapshotOptions: flagList} : {}),
      scenario,
      step,
      series: kind === 'series' ? seriesId : null,
      expectedLeakClass: kind === 'series' ? expectedLeakClass : null,
      files: {
        snapshot: `${id}.heapsnapshot.gz`,
        oracle: `${id}.oracle.json.gz`,
        nodes: `${id}.nodes.ndjson.gz`,
      },
      uncompressed: {bytes: oracle.snapshot.bytes, sha256: oracle.snapshot.sha256},
      format: {
        node_fields: oracle.snapshot.node_fields,
        extra_node_types: oracle.snapshot.node_types.slice(12),
        trace_function_count: oracle.snapshot.trace_function_count,
        extra_native_bytes: oracle.snapshot.extra_native_bytes,
      },
      totals: {
        nodeCount: oracle.totals.nodeCount,
        edgeCount: oracle.totals.edgeCount,
        rootRetainedSize: oracle.totals.rootRetainedSize,
        totalSize: oracle.totals.totalSize,
        classCount: oracle.totals.classCount,
      },
      watchedClasses: watched,
    });
  }
  if (kind === 'series') {
    const report = `${seriesId}.leak-report.json.gz`;
    const growth = {};
    for (const c of watchList) {
      growth[c] = ids.map(id => snapshots.find(s => s.id === id).watchedClasses[c].count);
    }
    series.push({
      id: seriesId,
      runtime,
      scenario,
      snapshots: ids,
      expectedLeakClass,
      leaks: expectedLeakClass !== null,
      leakReport: fs.existsSync(path.join(dir, report)) ? report : null,
      watchedClassCounts: growth,
    });
  }
}

const manifest = {
  description: 'heapscope test corpus: real heap snapshots and Chrome DevTools oracle output; see README.md',
  oracle: (() => {
    const o = readGzJSON(`${snapshots[0].id}.oracle.json.gz`).oracle;
    return {tool: o.tool, devtoolsFrontendVersion: o.devtoolsFrontendVersion, node: o.node};
  })(),
  nodesColumns: ['id', 'type', 'distance', 'dominator_id', 'self_size', 'raw_self_size', 'retained_size', 'class_name',
                 'detachedness'],
  series,
  snapshots,
};
process.stdout.write(JSON.stringify(manifest, null, 1) + '\n');
