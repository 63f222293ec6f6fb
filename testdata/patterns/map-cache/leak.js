'use strict';
// Price-quote service: GET /quote/:sku renders a quote for a product and
// memoizes it, keyed by the request URL. Clients add a cache-busting query
// (?currency=EUR&_=1712345678), so every request is a new key and nothing is
// ever evicted: quoteCache grows with the traffic.
const http = require('http');
const express = require('express');

class PriceQuote {
  constructor(sku, currency, lines) {
    this.sku = sku;
    this.currency = currency;
    this.lines = lines;
    this.total = lines.reduce((sum, line) => sum + line.amount, 0);
    this.createdAt = Date.now();
  }
}

const quoteCache = new Map();

function computeQuote(sku, currency) {
  const lines = [];
  for (let n = 0; n < 8; n++) {
    lines.push({ label: `${sku} tier ${n}`, amount: (sku.length * 7 + n * 3) / 10 });
  }
  return new PriceQuote(sku, currency, lines);
}

const app = express();

app.get('/quote/:sku', (req, res) => {
  const key = req.originalUrl;
  let quote = quoteCache.get(key);
  if (!quote) {
    quote = computeQuote(req.params.sku, req.query.currency || 'USD');
    quoteCache.set(key, quote);
  }
  res.json({ sku: quote.sku, currency: quote.currency, total: quote.total });
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
    return get(`/quote/sku-${i % 40}?currency=EUR&_=${1712345678 + i}`);
  },
  teardown() {
    server.close();
  },
};
