const http = require('http')
async function main () {
  let i = 0
  while (true) {
    if (i % 100 === 0) { global.gc() }
    if (i % 10000 === 0) { console.log(process.memoryUsage().heapUsed) }
    http.createServer((req, res) => {})
    i++
  }
}
main()
