'use strict';
// Accounts API with an audit trail: a middleware records an AuditEntry for
// every request when its response finishes, so GET /admin/audit can show the
// recent activity. Fixed: the trail is a ring buffer that keeps the last
// AUDIT_CAPACITY entries (older ones belong in a log file, not in memory).
const http = require('http');
const express = require('express');

class AuditEntry {
  constructor(method, path, user, status, durationMs) {
    this.at = new Date().toISOString();
    this.method = method;
    this.path = path;
    this.user = user;
    this.status = status;
    this.durationMs = durationMs;
  }
}

const AUDIT_CAPACITY = 50;
const auditTrail = new Array(AUDIT_CAPACITY);
let auditNext = 0;
let auditCount = 0;

function recordAudit(entry) {
  auditTrail[auditNext] = entry;
  auditNext = (auditNext + 1) % AUDIT_CAPACITY;
  auditCount = Math.min(auditCount + 1, AUDIT_CAPACITY);
}

function recentAudit() {
  const recent = [];
  for (let k = auditCount; k > 0; k--) {
    recent.push(auditTrail[(auditNext - k + AUDIT_CAPACITY) % AUDIT_CAPACITY]);
  }
  return recent;
}

const app = express();

app.use((req, res, next) => {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    recordAudit(new AuditEntry(req.method, req.originalUrl, req.get('x-user') || 'anonymous', res.statusCode, durationMs));
  });
  next();
});

app.get('/accounts/:id', (req, res) => {
  res.json({ id: req.params.id, balance: 100 });
});

app.get('/admin/audit', (req, res) => {
  res.json(recentAudit());
});

let server;

function get(path, user) {
  return new Promise((resolve, reject) => {
    const headers = { 'x-user': user };
    http.get({ host: '127.0.0.1', port: server.address().port, path, headers }, res => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

module.exports = {
  setup() {
    return new Promise(resolve => {
      server = app.listen(0, '127.0.0.1', resolve);
    });
  },
  step(i) {
    return get(`/accounts/${1000 + i}`, `user-${i % 25}`);
  },
  teardown() {
    server.close();
  },
};
