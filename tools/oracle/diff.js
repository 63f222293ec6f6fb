#!/usr/bin/env node
'use strict';
// heapscope: DevTools' full Comparison view of TARGET against BASE, with DevTools' own code.
//
// Usage: node diff.js BASE TARGET > diff.json
// (run from the folder tools/oracle/setup.sh prints: it needs ./lib/devtools.js and the bundle)
//
// Output:
//   comparison: every row of the Comparison view, exactly as DevTools computes it:
//     base.aggregatesForDiff(target.interfaceDefinitions()) + target.calculateSnapshotDiff(),
//     per class key: # New (addedCount), # Deleted (removedCount), # Delta (countDelta),
//     Alloc. Size (addedSize), Freed Size (removedSize), Size Delta (sizeDelta)
//   baseSummary: the Summary view of BASE with TARGET's interface definitions applied (the
//     classification the Comparison view uses for BASE): key -> {name, count, self, retained}
//   targetSummary: the Summary view of TARGET: key -> {name, count, self, retained}
// Rows are sorted by key so that the output is deterministic.

const path = require('node:path');
const dtl = require(path.join(process.env.HEAPSCOPE_ORACLE_DIR || __dirname, 'lib', 'devtools.js'));

function summary(aggregates) {
  const out = {};
  for (const key of Object.keys(aggregates).sort()) {
    const a = aggregates[key];
    out[key] = {name: a.name, count: a.count, self: a.self, retained: a.maxRet};
  }
  return out;
}

async function main() {
  const files = process.argv.slice(2);
  if (files.length !== 2) {
    throw new Error('usage: node diff.js BASE TARGET');
  }
  const base = (await dtl.loadSnapshot(files[0])).snapshot;
  const target = (await dtl.loadSnapshot(files[1])).snapshot;

  const defs = target.interfaceDefinitions();
  const baseAgg = base.aggregatesForDiff(defs);
  const diff = target.calculateSnapshotDiff('base', baseAgg);
  const comparison = Object.keys(diff).sort().map(key => {
    const d = diff[key];
    return {
      key,
      name: d.name,
      addedCount: d.addedCount,
      removedCount: d.removedCount,
      countDelta: d.countDelta,
      addedSize: d.addedSize,
      removedSize: d.removedSize,
      sizeDelta: d.sizeDelta,
    };
  });

  // The same temporary re-classification aggregatesForDiff does, kept for the Summary.
  const ownDefs = base.interfaceDefinitions();
  base.applyInterfaceDefinitions(JSON.parse(defs));
  const baseSummary = summary(base.getAggregatesByClassKey(false, 'oracle-diff-base'));
  base.applyInterfaceDefinitions(JSON.parse(ownDefs));
  const targetSummary = summary(target.aggregatesWithFilter({}));

  process.stdout.write(JSON.stringify({
    oracle: {tool: 'chrome-devtools-frontend', devtoolsFrontendVersion: dtl.devtoolsVersion(), node: process.version},
    base: path.basename(files[0]),
    target: path.basename(files[1]),
    comparison,
    baseSummary,
    targetSummary,
  }, null, 1) + '\n');
}

main().catch(e => {
  console.error(e && e.stack || e);
  process.exit(1);
});
