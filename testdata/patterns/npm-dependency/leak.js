'use strict';
// Storefront using express-session with its default store (MemoryStore) and
// the options from the package's own example (saveUninitialized: true). The
// product page remembers what the visitor viewed in the session. Crawlers,
// uptime checks and first-time visitors send no session cookie, so every such
// request creates a new session that MemoryStore keeps in its `sessions`
// object; MemoryStore never expires sessions on its own, so they accumulate.
const http = require('http');
const express = require('express');
const session = require('express-session');

const app = express();

app.use(session({
  secret: 'storefront signing secret',
  resave: false,
  saveUninitialized: true,
}));

app.get('/products/:id', (req, res) => {
  const viewed = req.session.recentlyViewed || [];
  req.session.recentlyViewed = [req.params.id, ...viewed].slice(0, 5);
  res.json({ id: req.params.id, name: `Product ${req.params.id}`, price: 19.99 });
});

app.post('/cart/:id', (req, res) => {
  req.session.cart = [...(req.session.cart || []), req.params.id];
  res.json({ items: req.session.cart.length });
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
    // An anonymous visitor (no cookie), as a crawler or uptime check sends.
    return get(`/products/${i % 60}`);
  },
  teardown() {
    server.close();
  },
};
