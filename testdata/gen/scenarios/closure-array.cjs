'use strict'; // heapscope: adapted from the team's reference oracle corpus (shared/corpus/gen/scenarios/closure-array.cjs), unchanged otherwise (keep line numbers: they are part of DevTools class keys).
// Closures capturing big objects, held by a global array.
class BigPayload {
  constructor(id) {
    this.id = id;
    this.data = new Array(256).fill(id);
  }
}
globalThis.handlers = [];
module.exports = {
  name: 'closure-array',
  leakClass: 'BigPayload',
  step(i) {
    const big = new BigPayload(i);
    globalThis.handlers.push(function handler() {
      return big.id;
    });
  },
};
