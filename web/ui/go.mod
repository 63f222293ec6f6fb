// This file only keeps the go command (go build/vet/test ./...) out of
// node_modules, whose npm packages may hold .go files. The UI's sources are
// JavaScript; see build.sh.
module github.com/heapscope/heapscope/web/ui

go 1.26.8
