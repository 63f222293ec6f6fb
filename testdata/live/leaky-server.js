// A deliberately leaking HTTP server for heapscope's attach tests: it keeps
// a record of every request in a module-level array that nothing empties.
//   node testdata/live/leaky-server.js [PORT]   (0 or none: a free port)
// It prints "listening on http://127.0.0.1:PORT/" once it accepts requests.
const http = require('http')

class RequestRecord {
  constructor (req) {
    this.url = req.url
    this.method = req.method
    this.headers = { ...req.headers }
    this.at = Date.now()
  }
}

const seen = []
const server = http.createServer((req, res) => {
  seen.push(new RequestRecord(req))
  res.end(`ok ${seen.length}\n`)
})
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`)
})
