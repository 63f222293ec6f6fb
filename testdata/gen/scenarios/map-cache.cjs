'use strict'; // heapscope: adapted from the team's reference oracle corpus (shared/corpus/gen/scenarios/map-cache.cjs), unchanged otherwise (keep line numbers: they are part of DevTools class keys).
// Unbounded Map used as a cache: entries are added per key and never evicted.
class CacheEntry {
  constructor(key) {
    this.key = key;
    this.createdAt = Date.now();
    this.value = {user: key, roles: ['reader', 'writer'], profile: 'p'.repeat(64) + key};
  }
}
globalThis.responseCache = new Map();
function getCached(key) {
  let e = globalThis.responseCache.get(key);
  if (!e) {
    e = new CacheEntry(key);
    globalThis.responseCache.set(key, e);
  }
  return e.value;
}
module.exports = {
  name: 'map-cache',
  leakClass: 'CacheEntry',
  step(i) {
    getCached('user:' + i);
  },
};
