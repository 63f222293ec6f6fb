'use strict';
// Checkout API with a debugging aid: a middleware stores a RequestTrace for
// every request on the global object (global.__requestTraces, keyed by request
// id) so that any module, or someone attached with the inspector, can look up
// what a request was doing. Nothing ever deletes a trace: the global object
// keeps every request's trace for the life of the process.
const http = require('http');
const express = require('express');

class RequestTrace {
  constructor(id, method, url, headers) {
    this.id = id;
    this.method = method;
    this.url = url;
    this.userAgent = headers['user-agent'];
    this.startedAt = Date.now();
    this.marks = [];
  }

  mark(label) {
    this.marks.push({ label, at: Date.now() - this.startedAt });
  }
}

global.__requestTraces = global.__requestTraces || {};

let nextRequestId = 1;
const app = express();

app.use((req, res, next) => {
  const trace = new RequestTrace(`req-${nextRequestId++}`, req.method, req.originalUrl, req.headers);
  global.__requestTraces[trace.id] = trace;
  res.locals.trace = trace;
  next();
});

app.post('/checkout/:cart', (req, res) => {
  const trace = res.locals.trace;
  trace.mark('validated');
  trace.mark('charged');
  res.json({ cart: req.params.cart, status: 'paid', trace: trace.id });
});

let server;

function post(path) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.address().port, method: 'POST', path }, res => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

module.exports = {
  setup() {
    return new Promise(resolve => {
      server = app.listen(0, '127.0.0.1', resolve);
    });
  },
  step(i) {
    return post(`/checkout/cart-${i}`);
  },
  teardown() {
    server.close();
  },
};
