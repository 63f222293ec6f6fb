// Package demo embeds a real leaking heap-snapshot series so that heapscope
// can show its main job with no file to find: three snapshots of one
// Node.js 20.3.1 process that calls http.createServer() without listen()
// 0, 1,000 and 2,000 times (Node.js issue 48604: every Server is retained
// by a connections-check timer). testdata/gen/generate.sh writes them; they
// are copies of testdata/corpus/seed-leak-series__node-20.3.1__*.
package demo

import (
	"embed"
	"io"
)

//go:embed data/*.heapsnapshot.gz
var data embed.FS

// Series lists the embedded snapshots, oldest first.
var Series = []string{
	"seed-leak-series__node-20.3.1__0.heapsnapshot.gz",
	"seed-leak-series__node-20.3.1__1000.heapsnapshot.gz",
	"seed-leak-series__node-20.3.1__2000.heapsnapshot.gz",
}

// Open opens an embedded snapshot by name (gzip-compressed).
func Open(name string) (io.ReadCloser, error) {
	return data.Open("data/" + name)
}
