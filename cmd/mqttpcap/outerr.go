package main

import (
	"fmt"
	"io"
)

// checkedWriter remembers the first error writing to w, so that commands
// that print with fmt can still fail (exit 1) when their output cannot be
// written (a full disk, a closed pipe).
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// failed is the error to return when a write failed, or nil.
func (c *checkedWriter) failed() error {
	if c.err == nil {
		return nil
	}
	return withCode(exitError, fmt.Errorf("writing the output: %w", c.err))
}
