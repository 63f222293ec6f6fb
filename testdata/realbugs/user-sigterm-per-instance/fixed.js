'use strict';
// An export worker: every export job gets a ReportExporter that writes its
// rows to a temporary file and, so that a deploy (SIGTERM) does not leave
// temporary files behind, registers a SIGTERM handler that deletes them.
// The handler is never removed when the export finishes, so process keeps
// one 'SIGTERM' listener, and through it the exporter and its rows, per job.
// fixed.js removes the handler in finish().
const os = require('os');
const path = require('path');

class ReportExporter {
  constructor(job) {
    this.job = job;
    this.rows = [];
    this.tmpFile = path.join(os.tmpdir(), `export-${job.id}.csv.part`);
    this.onSigterm = () => this.cleanup();
    process.on('SIGTERM', this.onSigterm);
  }

  add(row) {
    this.rows.push(row);
  }

  cleanup() {
    this.rows.length = 0;
    // fs.rmSync(this.tmpFile, {force: true}) in the real service
  }

  finish() {
    process.off('SIGTERM', this.onSigterm);
    const csv = this.rows.map((r) => `${r.sku},${r.qty},${r.price}`).join('\n');
    return {job: this.job.id, bytes: csv.length};
  }
}

module.exports = {
  setup() {
    process.setMaxListeners(0);   // "the warning was noisy"
  },
  step(i) {
    const exporter = new ReportExporter({id: 'job-' + i, tenant: 't' + (i % 9)});
    for (let r = 0; r < 3; r++) {
      exporter.add({sku: `sku-${i}-${r}`, qty: r + 1, price: 9.5 * (r + 1)});
    }
    return exporter.finish();
  },
};
