'use strict';
// Report-export service: POST /exports/:format renders a report. Every running
// export is tracked in an ExportRegistry (the admin page lists them and
// shutdown waits for them). Fixed: the job is released in a finally block, so
// a failed export (an unsupported format) leaves the registry too.
const http = require('http');
const express = require('express');

class ExportJob {
  constructor(id, format, rows) {
    this.id = id;
    this.format = format;
    this.rows = rows;
    this.startedAt = Date.now();
  }
}

class ExportRegistry {
  constructor() {
    this.active = new Set();
  }

  track(job) {
    this.active.add(job);
  }

  release(job) {
    this.active.delete(job);
  }

  get size() {
    return this.active.size;
  }
}

const exportsInProgress = new ExportRegistry();

function loadRows(count) {
  const rows = [];
  for (let n = 0; n < count; n++) {
    rows.push({ order: 1000 + n, amount: n * 1.5, region: n % 2 ? 'emea' : 'amer' });
  }
  return rows;
}

async function render(job) {
  if (job.format === 'csv') {
    return job.rows.map(r => `${r.order},${r.amount},${r.region}`).join('\n');
  }
  if (job.format === 'json') {
    return JSON.stringify(job.rows);
  }
  throw new Error(`unsupported export format: ${job.format}`);
}

let nextJobId = 1;
const app = express();

app.post('/exports/:format', async (req, res) => {
  const job = new ExportJob(nextJobId++, req.params.format, loadRows(12));
  exportsInProgress.track(job);
  try {
    const body = await render(job);
    res.type(job.format).send(body);
  } finally {
    exportsInProgress.release(job);
  }
});

app.use((err, req, res, next) => {
  res.status(400).json({ error: err.message });
});

let server;

function post(path) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.address().port, method: 'POST', path }, res => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

const formats = ['csv', 'json', 'xlsx', 'pdf'];

module.exports = {
  setup() {
    return new Promise(resolve => {
      server = app.listen(0, '127.0.0.1', resolve);
    });
  },
  step(i) {
    return post(`/exports/${formats[i % formats.length]}`);
  },
  teardown() {
    server.close();
  },
};
