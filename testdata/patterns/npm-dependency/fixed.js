'use strict';
// Storefront using express-session with its default store (MemoryStore).
// Fixed: sessions are created only for visitors who do something worth
// remembering (saveUninitialized: false, and the product page no longer writes
// to the session of a visitor who has no cart yet), so anonymous requests from
// crawlers and uptime checks store nothing in MemoryStore.
const http = require('http');
const express = require('express');
const session = require('express-session');

const app = express();

app.use(session({
  secret: 'storefront signing secret',
  resave: false,
  saveUninitialized: false,
}));

app.get('/products/:id', (req, res) => {
  if (req.session.cart) {
    const viewed = req.session.recentlyViewed || [];
    req.session.recentlyViewed = [req.params.id, ...viewed].slice(0, 5);
  }
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
