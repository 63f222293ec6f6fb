'use strict';
// An HTTP API with a small home-made logger. Every request gets a child
// logger that stamps the request id on each line; the root logger keeps its
// children so that setLevel() at run time (from an admin endpoint) reaches
// all of them. Nothing ever takes a child out of that list, so every
// request's logger, with its bindings, stays for the life of the process.
// fixed.js lets children read the level from their parent instead of
// registering with it.
const http = require('http');

const LEVELS = {debug: 10, info: 20, warn: 30, error: 40};

class Logger {
  constructor(bindings, level, parent) {
    this.bindings = bindings;
    this.level = level;
    this.parent = parent;
    this.lines = 0;
  }

  child(bindings) {
    return new Logger({...this.bindings, ...bindings}, null, this);
  }

  setLevel(level) {
    this.level = level;
  }

  get effectiveLevel() {
    return this.level || this.parent.effectiveLevel;
  }

  log(level, msg) {
    if (LEVELS[level] < LEVELS[this.effectiveLevel]) return;
    this.lines++;
    // JSON.stringify({level, msg, ...this.bindings}) to stdout in the real app
  }
}

const logger = new Logger({service: 'orders-api'}, 'info', null);
let nextRequestId = 1;

const server = http.createServer((req, res) => {
  const log = logger.child({reqId: 'req-' + nextRequestId++, path: req.url});
  log.log('info', 'request');
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ok: true}));
  log.log('debug', 'response sent');
});

function get(path) {
  return new Promise((resolve, reject) => {
    http.get({host: '127.0.0.1', port: server.address().port, path, agent: false}, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

module.exports = {
  setup() {
    return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  },
  step(i) {
    return get('/orders/' + i);
  },
  teardown() {
    server.close();
  },
};
