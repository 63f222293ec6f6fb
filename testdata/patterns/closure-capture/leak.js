'use strict';
// Sales dashboard: GET /dashboard builds a DashboardReport from the latest
// orders and keeps the newest one in latestDashboard (GET /dashboard/latest
// describes it). To say whether the totals changed, the handler keeps the
// previous dashboard in `previous` and compares it in changedSincePrevious().
// That arrow and describe() are created in the same scope, so V8 gives them one
// shared context: describe() only uses `report`, but the context it keeps
// alive also holds `previous`, which holds the previous dashboard, whose
// describe() holds the one before... every DashboardReport ever built stays
// reachable from latestDashboard.
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
  const previous = latestDashboard;
  const report = new DashboardReport(loadOrders(builds++));
  const changedSincePrevious = () => previous !== null && previous.report.total !== report.total;

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
