'use strict';
// A report export service. Exports are cancelled when the process shuts
// down: every job listens to the service's shutdown signal.
const { setImmediate: nextTick } = require('timers/promises');

class ExportJob {
  constructor(id, customerId, format) {
    this.id = id;
    this.customerId = customerId;
    this.format = format;
    this.rows = [];
    this.cancelled = false;
  }

  cancel() {
    this.cancelled = true;
  }

  async render() {
    for (let page = 0; page < 3 && !this.cancelled; page++) {
      await nextTick();
      this.rows.push({ page, customer: this.customerId, total: page * 100 });
    }
    return `${this.format}:${this.customerId}:${this.rows.length} rows`;
  }
}

class ExportService {
  constructor() {
    this.shutdown = new AbortController();
    this.nextId = 1;
  }

  async export(customerId, format) {
    const job = new ExportJob(this.nextId++, customerId, format);
    const onShutdown = () => {
      job.cancel();
    };
    this.shutdown.signal.addEventListener('abort', onShutdown);
    try {
      return await job.render();
    } finally {
      this.shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }

  close() {
    this.shutdown.abort();
  }
}

const exports_ = new ExportService();

module.exports = {
  step(i) {
    return exports_.export(`cus_${1000 + i}`, i % 2 ? 'csv' : 'pdf');
  },
  teardown() {
    exports_.close();
  },
};
