package main

import (
	"github.com/heapscope/heapscope/load"
)

// loadError gives the loading layer's input errors (a missing file, a file
// that is not a snapshot) exit code 2.
func loadError(err error) error {
	if load.IsInputError(err) {
		return inputError(err)
	}
	return err
}
