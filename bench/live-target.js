// live-target.js — preloaded by bench/live.sh into bench/gen-heap.js:
//   node --max-old-space-size=16000 -r ./bench/live-target.js bench/gen-heap.js 500 /dev/null
// gen-heap builds its ~500 MB (of snapshot) object graph as usual; this preload turns its
// v8.writeHeapSnapshot into a no-op (until it has run) and then keeps the process alive as an HTTP server:
//   GET /          leaks one more Workspace (a request-handling leak for `heapscope attach --drive`)
//   GET /write?path=FILE   v8.writeHeapSnapshot(FILE) for real, answers {"ms":…}
// It prints "listening on http://127.0.0.1:PORT/" once gen-heap's graph is built.
'use strict';
const http = require('http');
const v8 = require('v8');
const realWrite = v8.writeHeapSnapshot;
v8.writeHeapSnapshot = (file) => file;

const leaked = [];
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/write') {
    const t = Date.now();
    realWrite(u.searchParams.get('path'));
    res.end(JSON.stringify({ ms: Date.now() - t }) + '\n');
    return;
  }
  const world = globalThis.__HEAPSCOPE_BENCH__;
  const W = world && world.workspaces.length ? world.workspaces[0].constructor : Object;
  leaked.push(new W(leaked.length));
  res.end('ok ' + leaked.length + '\n');
});
// Runs once the main script (gen-heap.js) has built its graph: from now on
// writeHeapSnapshot is the real one again (heapscope --via fifo calls it).
setImmediate(() => {
  v8.writeHeapSnapshot = realWrite;
  server.listen(0, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${server.address().port}/`);
  });
});
