// A listener list that only grows, as issue 11 saw it (300+ lines of
// ".next Listener"): each request adds a listener at the end of a singly
// linked list, and the listener's closure holds the request. 400 listeners
// before the first snapshot, 200 more before each of the next two.
const v8 = require('v8');
const dir = process.argv[2];
class Listener { constructor(fn) { this.fn = fn; this.next = null; } }
class Emitter {
  constructor() { this.first = null; }
  on(fn) {
    const l = new Listener(fn);
    if (!this.first) { this.first = l; return; }
    let at = this.first;
    while (at.next) at = at.next;
    at.next = l;
  }
}
globalThis.bus = new Emitter();
class Request { constructor(i) { this.id = i; this.body = 'request ' + i; } }
function handle(i) {
  const req = new Request(i);
  bus.on(function onChange() { return req.id; });
}
let i = 0;
const step = (n) => { for (const end = i + n; i < end; i++) handle(i); };
step(400);
for (let k = 0; k < 3; k++) {
  if (k) step(200);
  v8.writeHeapSnapshot(`${dir}/list-${k}.heapsnapshot`);
}
