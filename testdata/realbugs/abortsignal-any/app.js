'use strict';
// A job runner: each job can be cancelled on its own or by the process-wide
// shutdown signal, so its signal is AbortSignal.any([shutdown, job]).
// On Node.js 22.11.0 every AbortSignal.any() leaves an entry in the
// long-lived shutdown signal's set of dependent signals, never removed
// (nodejs/node#55351, fixed in 22.12.0 by nodejs/node#55354).
const shutdown = new AbortController();
process.once('SIGTERM', () => shutdown.abort());

class Job {
  constructor(id) {
    this.id = id;
    this.controller = new AbortController();
    this.signal = AbortSignal.any([shutdown.signal, this.controller.signal]);
  }

  run() {
    if (this.signal.aborted) {
      return null;
    }
    return {id: this.id, result: this.id * 2};
  }
}

module.exports = {
  step(i) {
    return new Job(i).run();
  },
};
