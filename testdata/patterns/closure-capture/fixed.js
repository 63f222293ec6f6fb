'use strict';
// Sales dashboard: GET /dashboard builds a DashboardReport from the latest
// orders and keeps the newest one in latestDashboard (GET /dashboard/latest
// describes it). Fixed: the handler copies out the one number it compares
// (the previous total) instead of keeping the previous dashboard in a variable
// that the closures of this scope share, so describe() no longer keeps the
// previous dashboards alive.
const http = require('http');
const express = require('express');

class DashboardReport {
  constructor(rows) {
    this.rows = rows;
    this.total = rows.reduce((sum, row) => sum + row.amount, 0);
    this.builtAt = Date.now();
  }
}

function loadOrders(seed) {
  const rows = [];
  for (let n = 0; n < 10; n++) {
    rows.push({ order: seed * 10 + n, amount: ((seed + n) % 17) * 2.5 });
  }
  return rows;
}

let latestDashboard = null;
let builds = 0;

const app = express();

app.get('/dashboard', (req, res) => {
  const previousTotal = latestDashboard === null ? null : latestDashboard.report.total;
  const report = new DashboardReport(loadOrders(builds++));
  const changedSincePrevious = () => previousTotal !== null && previousTotal !== report.total;

  res.json({ total: report.total, changed: changedSincePrevious() });

  latestDashboard = {
    report,
    renderedAt: Date.now(),
    describe: () => `${report.rows.length} orders, total ${report.total}`,
  };
});

app.get('/dashboard/latest', (req, res) => {
  res.send(latestDashboard ? latestDashboard.describe() : 'no dashboard yet');
});

let server;

function get(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.address().port, path }, res => {
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
    return get(i % 10 === 9 ? '/dashboard/latest' : '/dashboard');
  },
  teardown() {
    server.close();
  },
};
