'use strict';
// Orders API on a small connection pool. To catch code paths that forget to
// close a DbConnection, the pool registers every connection it opens with a
// FinalizationRegistry and warns when one is garbage-collected unclosed. The
// warning needs to know whether the connection was closed. Fixed: the held
// value is a small state record ({ id, closed }) that the connection shares,
// never the connection itself, so the registry does not keep its targets
// alive; close() also unregisters the connection, as nothing is left to check.
const http = require('http');
const express = require('express');

class DbConnection {
  constructor(id) {
    this.id = id;
    this.openedAt = Date.now();
    this.state = { id, closed: false };
    this.statementCache = new Map();
  }

  query(sql, params) {
    this.statementCache.set(sql, { sql, uses: (this.statementCache.get(sql) || { uses: 0 }).uses + 1 });
    return { id: params[0], status: 'shipped', items: 3 };
  }

  close() {
    this.state.closed = true;
    unclosedConnections.unregister(this);
  }
}

const unclosedConnections = new FinalizationRegistry(held => {
  if (!held.closed) {
    console.warn(`connection ${held.id} was garbage-collected without close()`);
  }
});

let nextConnectionId = 1;

function openConnection() {
  const conn = new DbConnection(nextConnectionId++);
  unclosedConnections.register(conn, conn.state, conn);
  return conn;
}

const app = express();

app.get('/orders/:id', (req, res) => {
  const conn = openConnection();
  try {
    res.json(conn.query('SELECT * FROM orders WHERE id = $1', [req.params.id]));
  } finally {
    conn.close();
  }
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
    return get(`/orders/${5000 + i}`);
  },
  teardown() {
    server.close();
  },
};
