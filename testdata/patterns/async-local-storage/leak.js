'use strict';
// An order API with request-scoped logging: a middleware runs every request
// in its own RequestContext (AsyncLocalStorage), and log() prefixes each
// line with the context's request id, wherever it is called from.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');
const { randomUUID } = require('crypto');
const { setImmediate: nextTick } = require('timers/promises');
const express = require('express');

class RequestContext {
  constructor(req) {
    this.requestId = req.get('x-request-id') || randomUUID();
    this.method = req.method;
    this.path = req.path;
    this.user = req.get('x-user');
    this.startedAt = Date.now();
    this.timings = [];
  }
}

const requestContext = new AsyncLocalStorage();
const logLines = [];

function log(message) {
  const ctx = requestContext.getStore();
  logLines.push(`${ctx ? ctx.requestId : '-'} ${message}`);
  if (logLines.length > 100) logLines.shift();
}

async function loadOrder(id) {
  await nextTick();
  return { id, items: [{ sku: 'LMP-1', qty: 1 }], status: 'shipped' };
}

const app = express();

app.use((req, res, next) => {
  requestContext.run(new RequestContext(req), next);
});

app.get('/orders/:id', async (req, res) => {
  // Warn about lookups that hang; log() tags the warning with this request's id.
  const slowWarning = setInterval(() => log('order lookup still running'), 10_000);
  const order = await loadOrder(req.params.id);
  res.json(order);
});

// Load driver: one request per step.
let server;
const agent = new http.Agent({ keepAlive: true });

function get(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.address().port, path, agent, headers: { 'x-user': 'mobile-app' } }, res => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

module.exports = {
  setup() {
    return new Promise(resolve => { server = app.listen(0, '127.0.0.1', resolve); });
  },
  step(i) {
    return get(`/orders/${10000 + i}`);
  },
  teardown() {
    agent.destroy();
    server.close();
  },
};
