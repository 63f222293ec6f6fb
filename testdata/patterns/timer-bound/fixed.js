'use strict';
// A billing API. The usage endpoint reports a tenant's metered usage; the
// UsageMeter keeps its totals fresh by re-reading the usage store every
// minute.
const http = require('http');
const express = require('express');

const usageStore = new Map(); // tenant → the last 20 [{ at, units }]
for (let t = 0; t < 20; t++) {
  usageStore.set(`acme-${t}`, Array.from({ length: 20 }, (_, k) => ({ at: Date.now() - k * 1000, units: k % 5 })));
}

class UsageMeter {
  constructor(tenant, store) {
    this.tenant = tenant;
    this.store = store;
    this.totals = { units: 0, events: 0 };
    this.refreshedAt = 0;
    this.refresh();
    this.timer = setInterval(this.refresh.bind(this), 60_000);
  }

  refresh() {
    const events = this.store.get(this.tenant) || [];
    this.totals = { units: events.reduce((sum, e) => sum + e.units, 0), events: events.length };
    this.refreshedAt = Date.now();
  }

  close() {
    clearInterval(this.timer);
  }
}

const app = express();

app.post('/tenants/:tenant/usage', (req, res) => {
  const events = usageStore.get(req.params.tenant) || [];
  events.push({ at: Date.now(), units: Number(req.query.units) || 1 });
  usageStore.set(req.params.tenant, events.slice(-20));
  res.sendStatus(204);
});

app.get('/tenants/:tenant/usage', (req, res) => {
  const meter = new UsageMeter(req.params.tenant, usageStore);
  try {
    res.json({ tenant: meter.tenant, ...meter.totals });
  } finally {
    meter.close();
  }
});

// Load driver: one request per step.
let server;
const agent = new http.Agent({ keepAlive: true });

function request(method, path) {
  return new Promise((resolve, reject) => {
    http.request({ method, host: '127.0.0.1', port: server.address().port, path, agent }, res => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject).end();
  });
}

module.exports = {
  setup() {
    return new Promise(resolve => { server = app.listen(0, '127.0.0.1', resolve); });
  },
  async step(i) {
    const tenant = `acme-${i % 20}`;
    if (i % 4 === 0) await request('POST', `/tenants/${tenant}/usage?units=${i % 7}`);
    await request('GET', `/tenants/${tenant}/usage`);
  },
  teardown() {
    agent.destroy();
    server.close();
  },
};
