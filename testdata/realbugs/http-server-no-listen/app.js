'use strict';
// A test helper that builds an HTTP app per test case and hands it to a
// request-injection helper instead of listening on a port: the server is
// created but never listen()s and never closed (server.close() throws
// ERR_SERVER_NOT_RUNNING, so nobody calls it).
// Node.js 20.3.1 starts the connections-check interval in the Server
// constructor (nodejs/node#48604), so every such server stays alive.
const http = require('http');

function buildApp(routes) {
  return http.createServer((req, res) => {
    const handler = routes[req.url];
    res.end(handler ? handler() : 'not found');
  });
}

module.exports = {
  step(i) {
    const app = buildApp({'/': () => 'hello ' + i});
    return app.listenerCount('request');
  },
};
