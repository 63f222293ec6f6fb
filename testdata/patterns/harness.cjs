'use strict';
// Drives one program of the pattern corpus (works on Node >= 16).
// A program exports {setup?(), step(i) (sync or async), teardown?()}: step(i) is one unit of
// the app's work (one request, one job), as a user's load test would drive it.
// Usage: node --expose-gc harness.cjs PROGRAM.js OUTPREFIX BATCH [BATCH ...]
//   Runs BATCH iterations of step() per batch and, after each batch,
//   writes OUTPREFIX-<cumulative iterations>.heapsnapshot (batch 0 = baseline).
const path = require('path');
const v8 = require('v8');

async function settle() {
  for (let i = 0; i < 3; i++) {
    await new Promise(resolve => setImmediate(resolve));
  }
  for (let i = 0; i < 6; i++) {
    global.gc();
  }
}

async function main() {
  const [scenarioName, outPrefix, ...batches] = process.argv.slice(2);
  if (typeof global.gc !== 'function') {
    throw new Error('run with --expose-gc');
  }
  const scenario = require(path.resolve(scenarioName));
  if (scenario.setup) {
    await scenario.setup();
  }
  let done = 0;
  for (const b of batches) {
    const n = Number(b);
    for (let i = 0; i < n; i++) {
      const r = scenario.step(done);
      if (r && typeof r.then === 'function') {
        await r;
      }
      done++;
    }
    await settle();
    const file = v8.writeHeapSnapshot(`${outPrefix}-${done}.heapsnapshot`);
    console.log(file);
  }
  if (scenario.teardown) {
    await scenario.teardown();
  }
  // Some scenarios leave intervals/servers running on purpose.
  process.exit(0);
}

main().catch(e => {
  console.error(e && e.stack || e);
  process.exit(1);
});
