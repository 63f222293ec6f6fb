// heapscope: adapted from the team's reference corpus script (shared/corpus/gen/chromium/cdp-snapshot.mjs):
// same CDP sequence; adds --disable-quic, --expect-major, a time limit and cleanup on failure.
//
// Takes heap snapshots of a local page in headless Chromium via the Chrome DevTools Protocol
// (HeapProfiler.takeHeapSnapshot), using only Node's global WebSocket (Node >= 22; generate.sh runs
// it on the pinned Node 22 from tools/fetchnode/fetch-node.sh).
//
// Usage: node cdp-snapshot.mjs --page FILE.html --out PREFIX --steps "0,200"
//            [--expr "leakCards(%d)"] [--track-allocations] [--cdp-defaults]
//            [--chromium /usr/bin/chromium] [--expect-major 156]
//   Snapshots are taken with the parameters DevTools' "Take heap snapshot" button uses
//   ({captureNumericValue: true, exposeInternals: true}); with --cdp-defaults, with no optional
//   parameters at all.
//   For each step N: Runtime.evaluate(expr with N) (skipped for N = 0), HeapProfiler.collectGarbage
//   twice, then PREFIX-<cumulative N>.heapsnapshot is written. With --track-allocations,
//   HeapProfiler.startTrackingHeapObjects({trackAllocations:true}) is started before the first
//   step and the LAST snapshot is the one HeapProfiler.stopTrackingHeapObjects returns (DevTools'
//   "Allocations on timeline" recording), so it carries trace_function_infos / trace_tree.
//   Browser.getVersion is written to PREFIX.browser-version.json; with --expect-major M the run
//   fails unless the browser's major version is M.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const args = {
  page: null, out: null, steps: '0,200', expr: 'leakCards(%d)', track: false, chromium: '/usr/bin/chromium',
  expectMajor: null,
  // Options DevTools' own "Take heap snapshot" button sends (HeapSnapshotView.takeHeapSnapshot).
  snapshotParams: {captureNumericValue: true, exposeInternals: true},
};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--page') args.page = process.argv[++i];
  else if (a === '--out') args.out = process.argv[++i];
  else if (a === '--steps') args.steps = process.argv[++i];
  else if (a === '--expr') args.expr = process.argv[++i];
  else if (a === '--track-allocations') args.track = true;
  else if (a === '--chromium') args.chromium = process.argv[++i];
  else if (a === '--expect-major') args.expectMajor = Number(process.argv[++i]);
  else if (a === '--cdp-defaults') args.snapshotParams = {};
  else throw new Error('unknown arg ' + a);
}
if (!args.page || !args.out) throw new Error('need --page and --out');
if (typeof WebSocket !== 'function') throw new Error(`Node ${process.version} has no global WebSocket (need Node >= 22)`);

const TIME_LIMIT_MS = 300000;
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdp-snap-'));
const chrome = spawn(args.chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions',
  '--disable-default-apps', '--remote-debugging-port=0', '--remote-debugging-address=127.0.0.1',
  `--user-data-dir=${userDataDir}`, 'about:blank',
], {stdio: ['ignore', 'ignore', 'pipe'], detached: true});

function killChrome() {
  if (chrome.exitCode === null && chrome.signalCode === null) {
    try {
      process.kill(-chrome.pid, 'SIGKILL'); // its own process group: browser, zygote, renderers
    } catch {
      chrome.kill('SIGKILL');
    }
  }
}
function cleanup() {
  killChrome();
  fs.rmSync(userDataDir, {recursive: true, force: true});
}
const timer = setTimeout(() => {
  console.error(`cdp-snapshot: no result after ${TIME_LIMIT_MS / 1000} s`);
  cleanup();
  process.exit(1);
}, TIME_LIMIT_MS);

let ws;
try {
  await run();
} catch (e) {
  console.error('cdp-snapshot:', e && e.stack || e);
  if (ws) ws.close();
  cleanup();
  process.exit(1);
}
clearTimeout(timer);

async function run() {
  const wsUrl = await new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('chromium did not start: ' + buf)), 60000);
    chrome.stderr.on('data', d => {
      buf += d;
      const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    chrome.on('error', reject);
    chrome.on('exit', code => reject(new Error('chromium exited ' + code + ': ' + buf)));
  });

  ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  ws.onmessage = ev => {
    const msg = JSON.parse(ev.data);
    if (msg.id && pending.has(msg.id)) {
      const {resolve, reject} = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(JSON.stringify(msg.error)));
      else resolve(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  };
  function send(method, params = {}, sessionId) {
    const id = nextId++;
    ws.send(JSON.stringify({id, method, params, sessionId}));
    return new Promise((resolve, reject) => pending.set(id, {resolve, reject}));
  }

  const version = await send('Browser.getVersion');
  fs.writeFileSync(args.out + '.browser-version.json', JSON.stringify(version, null, 1) + '\n');
  const major = Number((/\/(\d+)\./.exec(version.product) || [])[1]);
  if (args.expectMajor !== null && major !== args.expectMajor) {
    throw new Error(`browser is ${version.product}, expected major version ${args.expectMajor}`);
  }

  const {targetId} = await send('Target.createTarget', {url: 'about:blank'});
  const {sessionId} = await send('Target.attachToTarget', {targetId, flatten: true});
  await send('Page.enable', {}, sessionId);
  await send('Runtime.enable', {}, sessionId);
  const loaded = new Promise(resolve => listeners.push(m => {
    if (m.method === 'Page.loadEventFired' && m.sessionId === sessionId) resolve();
  }));
  await send('Page.navigate', {url: pathToFileURL(path.resolve(args.page)).href}, sessionId);
  await loaded;
  await send('HeapProfiler.enable', {}, sessionId);

  async function snapshotTo(file, viaStopTracking) {
    let chunks = [];
    const onChunk = m => {
      if (m.method === 'HeapProfiler.addHeapSnapshotChunk' && m.sessionId === sessionId) chunks.push(m.params.chunk);
    };
    listeners.push(onChunk);
    if (viaStopTracking) {
      await send('HeapProfiler.stopTrackingHeapObjects', {reportProgress: false, ...args.snapshotParams}, sessionId);
    } else {
      await send('HeapProfiler.takeHeapSnapshot', {reportProgress: false, ...args.snapshotParams}, sessionId);
    }
    listeners.splice(listeners.indexOf(onChunk), 1);
    fs.writeFileSync(file, chunks.join(''));
    chunks = null;
    console.log(file);
  }

  if (args.track) {
    await send('HeapProfiler.startTrackingHeapObjects', {trackAllocations: true}, sessionId);
  }
  const steps = args.steps.split(',').map(Number);
  let total = 0;
  for (let i = 0; i < steps.length; i++) {
    const n = steps[i];
    if (n > 0) {
      const r = await send('Runtime.evaluate', {expression: args.expr.replace('%d', String(n)), returnByValue: true}, sessionId);
      if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails));
    }
    total += n;
    await send('HeapProfiler.collectGarbage', {}, sessionId);
    await send('HeapProfiler.collectGarbage', {}, sessionId);
    const last = i === steps.length - 1;
    await snapshotTo(`${args.out}-${total}.heapsnapshot`, args.track && last);
  }

  await send('Browser.close').catch(() => {});
  ws.close();
  await new Promise(resolve => {
    if (chrome.exitCode !== null) resolve();
    else chrome.on('exit', resolve);
    setTimeout(resolve, 5000);
  });
  cleanup();
}
