// heapscope's scenario harness, embedded in the heapscope binary and run as
//   node --inspect=127.0.0.1:0 -e <this file> SCENARIO
// It loads the scenario module (CommonJS or ES module exporting setup, action
// and optional cleanup, each sync or async) and waits. heapscope calls the
// functions below through Runtime.evaluate; between calls nothing of the
// harness stays on the heap except the module and what setup returned.
'use strict';
const path = require('path');
const { pathToFileURL } = require('url');
const file = path.resolve(process.argv[1]);
const keepAlive = setInterval(() => {}, 1 << 30);
let mod = null;
let ctx;
function pick(m) {
  for (const c of [m, m && m.default]) {
    if (c && typeof c.action === 'function') return c;
  }
  return null;
}
// settle waits for a promise for at most ms; a plain value passes through.
function settle(v, ms, what) {
  if (!v || typeof v.then !== 'function') return v;
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([v, limit]).finally(() => clearTimeout(timer));
}
const api = {
  ready: import(pathToFileURL(file).href).then((m) => {
    mod = pick(m);
    if (!mod) throw new Error(`${file} exports no action function (module.exports = { setup, action, cleanup })`);
    return true;
  }),
  async setup(ms) {
    if (typeof mod.setup === 'function') ctx = await settle(mod.setup(), ms, 'setup');
    return true;
  },
  async run(n, ms) {
    for (let i = 0; i < n; i++) {
      const r = mod.action(ctx);
      if (r && typeof r.then === 'function') await settle(r, ms, 'action');
    }
    return n;
  },
  async cleanup(ms) {
    if (typeof mod.cleanup === 'function') await settle(mod.cleanup(ctx), ms, 'cleanup');
    return true;
  },
  exit() {
    clearInterval(keepAlive);
    setImmediate(() => process.exit(0));
    return true;
  },
};
api.ready.catch(() => {}); // reported to heapscope through the protocol
Object.defineProperty(globalThis, Symbol.for('heapscope.scenario'), { value: api });
