'use strict';
// A CSV import service. While an import runs, its progress is logged every
// few seconds so operators can follow long imports.
const { setImmediate: nextTick } = require('timers/promises');

const PROGRESS_EVERY_MS = 5000;

class ImportJob {
  constructor(id, source) {
    this.id = id;
    this.source = source;
    this.total = 0;
    this.processed = 0;
    this.errors = [];
    this.startedAt = Date.now();
  }
}

class ImportService {
  constructor(log) {
    this.log = log;
    this.nextId = 1;
  }

  async import(source, lines) {
    const job = new ImportJob(this.nextId++, source);
    job.total = lines.length;
    const progress = setInterval(() => {
      this.log(`import ${job.id} (${job.source}): ${job.processed}/${job.total}, ${job.errors.length} errors`);
    }, PROGRESS_EVERY_MS);
    for (const line of lines) {
      await nextTick();
      if (line.split(',').length !== 3) job.errors.push({ line, reason: 'expected 3 columns' });
      job.processed++;
    }
    return { id: job.id, processed: job.processed, errors: job.errors.length };
  }
}

const imports = new ImportService(message => console.log(message));

module.exports = {
  step(i) {
    return imports.import(`uploads/customers-${i}.csv`, ['id,name,email', `${i},Ada,ada@example.com`, `${i + 1},Grace`]);
  },
};
