// A heapscope scenario for Node.js issue 48604: on Node.js 20.3.1 every
// http.createServer() without listen() is kept alive by the timer that
// checks its connections, so this action leaks one Server per call; on
// 20.20.2 it does not.
//   heapscope run --scenario testdata/live/createserver-scenario.js --iterations 200
const http = require('http')

module.exports = {
  setup: () => {},
  action: () => http.createServer(() => {}),
  cleanup: () => {}
}
