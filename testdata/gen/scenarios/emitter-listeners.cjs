'use strict'; // heapscope: adapted from the team's reference oracle corpus (shared/corpus/gen/scenarios/emitter-listeners.cjs), unchanged otherwise (keep line numbers: they are part of DevTools class keys).
// Listeners added to a long-lived EventEmitter and never removed.
// Each "subscription" adds a 'message' listener that closes over a Subscriber.
const EventEmitter = require('events');
class Subscriber {
  constructor(id) {
    this.id = id;
    this.received = [];
    this.buffer = new Array(64).fill(id);
  }
}
globalThis.eventBus = new EventEmitter();
globalThis.eventBus.setMaxListeners(0);
module.exports = {
  name: 'emitter-listeners',
  leakClass: 'Subscriber',
  step(i) {
    const sub = new Subscriber(i);
    globalThis.eventBus.on('message', function onMessage(msg) {
      sub.received.push(msg);
    });
  },
};
