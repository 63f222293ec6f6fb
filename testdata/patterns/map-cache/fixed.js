'use strict';
// Price-quote service: GET /quote/:sku renders a quote for a product and
// memoizes it. Fixed: the cache is keyed by what the quote depends on (sku and
// currency, not the whole URL with its cache-busting query) and bounded: a
// small LRU that drops the least recently used quote beyond MAX_QUOTES.
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

const MAX_QUOTES = 20;
const quoteCache = new Map();

function cacheGet(key) {
  const quote = quoteCache.get(key);
  if (quote) {
    // Map keeps insertion order: re-inserting marks the entry most recent.
    quoteCache.delete(key);
    quoteCache.set(key, quote);
  }
  return quote;
}

function cacheSet(key, quote) {
  quoteCache.set(key, quote);
  if (quoteCache.size > MAX_QUOTES) {
    quoteCache.delete(quoteCache.keys().next().value);
  }
}

function computeQuote(sku, currency) {
  const lines = [];
  for (let n = 0; n < 8; n++) {
    lines.push({ label: `${sku} tier ${n}`, amount: (sku.length * 7 + n * 3) / 10 });
  }
  return new PriceQuote(sku, currency, lines);
}

const app = express();

app.get('/quote/:sku', (req, res) => {
  const currency = req.query.currency || 'USD';
  const key = `${req.params.sku}:${currency}`;
  let quote = cacheGet(key);
  if (!quote) {
    quote = computeQuote(req.params.sku, currency);
    cacheSet(key, quote);
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
