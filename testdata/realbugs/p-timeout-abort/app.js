'use strict';
// A status page that polls each upstream service with a deadline, giving up
// when the process shuts down: every check runs through p-timeout with the
// process-wide shutdown signal. p-timeout 6.1.2 adds an 'abort' listener to
// that signal for every call and never removes it once the promise settles
// (sindresorhus/p-timeout#42, fixed in 6.1.3), so the long-lived signal
// collects one listener, and the settled check it resolved, per call.
const {default: pTimeout} = require('p-timeout');

const shutdown = new AbortController();
process.once('SIGTERM', () => shutdown.abort());

class ServiceStatus {
  constructor(name, latencyMs) {
    this.name = name;
    this.latencyMs = latencyMs;
    this.checkedAt = Date.now();
  }
}

async function probe(name, i) {
  await null;
  return new ServiceStatus(name, i % 97);
}

function checkService(name, i) {
  return pTimeout(probe(name, i), {milliseconds: 2000, signal: shutdown.signal});
}

module.exports = {
  step(i) {
    return checkService('svc-' + (i % 7), i);
  },
};
