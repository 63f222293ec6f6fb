'use strict';
// A request handler that logs with a debug namespace per tenant, made with
// debug() on every request (as debug's README shows for one module). The
// debug package keeps every debug instance it ever made in
// createDebug.instances (debug-js/debug#678) up to 4.2.0; 4.3.0 no longer
// tracks them.
const debug = require('debug');

class RequestHandler {
  constructor(tenant) {
    this.tenant = tenant;
    this.log = debug('api:tenant:' + tenant);
  }

  handle(path) {
    this.log('GET %s', path);
    return {tenant: this.tenant, path, status: 200};
  }
}

module.exports = {
  step(i) {
    return new RequestHandler('t' + (i % 50)).handle('/items/' + i);
  },
};
