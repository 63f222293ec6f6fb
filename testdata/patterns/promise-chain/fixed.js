'use strict';
// A product search API. Queries go to a search backend through a client
// that connects once; until it is connected, queries wait for `ready`.
const http = require('http');
const net = require('net');
const express = require('express');

class SearchClient {
  constructor(address) {
    this.address = address;
    this.connected = false;
    this.ready = new Promise(resolve => { this._onReady = resolve; });
  }

  connect() {
    const [host, port] = this.address.split(':');
    this.socket = net.connect(Number(port), host, () => {
      this.connected = true;
      this._onReady();
    });
    this.socket.on('error', err => console.error(`search backend: ${err.message}`));
  }

  send(query) {
    this.socket.write(JSON.stringify({ q: query.text, filters: query.filters }) + '\n');
  }
}

class PendingQuery {
  constructor(text, user, filters) {
    this.text = text;
    this.user = user;
    this.filters = filters;
    this.queuedAt = Date.now();
  }
}

// The backend is optional in development: without SEARCH_ADDRESS the client
// is created but never connected.
const search = new SearchClient(process.env.SEARCH_ADDRESS || '127.0.0.1:9200');
if (process.env.SEARCH_ADDRESS) search.connect();

const app = express();

app.get('/search', (req, res) => {
  if (!search.connected) {
    res.status(503).json({ error: 'search is unavailable' });
    return;
  }
  const query = new PendingQuery(String(req.query.q), req.get('x-user') || 'anonymous', { inStock: req.query.stock === '1' });
  search.send(query);
  res.status(202).json({ queued: query.text });
});

// Load driver: one request per step.
let server;
const agent = new http.Agent({ keepAlive: true });

function get(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.address().port, path, agent, headers: { 'x-user': 'shop-frontend' } }, res => {
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
    return get(`/search?q=lamp+${i}&stock=${i % 2}`);
  },
  teardown() {
    agent.destroy();
    server.close();
  },
};
