'use strict'; // heapscope: adapted from the team's reference oracle corpus (shared/corpus/gen/scenarios/seed-leak.cjs), unchanged otherwise (keep line numbers: they are part of DevTools class keys).
// Seed leak, Node issue 48604: on affected versions http.createServer()
// starts setInterval(checkConnections.bind(server)) in the constructor, so a
// server that never listen()s is kept alive by the timer list forever.
// The article's loop: http.createServer((req, res) => {}) repeatedly, no listen().
const http = require('http');
module.exports = {
  name: 'seed-leak',
  leakClass: 'Server',
  step() {
    http.createServer((req, res) => {});
  },
};
