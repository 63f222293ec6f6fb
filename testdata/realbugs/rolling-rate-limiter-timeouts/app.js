'use strict';
// An HTTP API that limits how often each client may call it with
// rolling-rate-limiter's in-memory limiter, keyed by the client's address.
// rolling-rate-limiter 0.1.5 starts a timer per client to drop its
// timestamps after the interval and keeps the timer's handle in its
// `timeouts` object; the handle is never deleted from it, neither when the
// timer fires nor when it is cleared, so every client address ever seen
// keeps an entry and its spent Timeout (peterkhayes/rolling-rate-limiter#19;
// 0.1.9 deletes the handle in both places). The interval here is short
// (1 ms) so that the timers of a run fire within it.
const http = require('http');
const RateLimiter = require('rolling-rate-limiter');

const limiter = RateLimiter({interval: 1, maxInInterval: 10});

const server = http.createServer((req, res) => {
  const client = req.headers['x-forwarded-for'] || req.socket.remoteAddress;
  const waitMs = limiter(client);
  if (waitMs > 0) {
    res.writeHead(429, {'retry-after': Math.ceil(waitMs / 1000)});
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({items: [], client}));
});

function get(path, forwardedFor) {
  return new Promise((resolve, reject) => {
    http.get({host: '127.0.0.1', port: server.address().port, path, agent: false,
      headers: {'x-forwarded-for': forwardedFor}}, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

module.exports = {
  setup() {
    return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  },
  step(i) {
    // A new client address per request, as behind a load balancer.
    return get('/items', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  },
  teardown() {
    server.close();
  },
};
