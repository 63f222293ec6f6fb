// This file only keeps the go command (go build/vet/test ./...) out of
// node_modules, whose npm packages may hold .go files. The end-to-end test is
// JavaScript; see e2e.mjs.
module github.com/heapscope/heapscope/web/e2e

go 1.26.8
