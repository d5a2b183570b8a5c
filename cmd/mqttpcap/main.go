// Command mqttpcap decodes the MQTT traffic in packet captures: every
// control packet, field by field, with the bytes it came from and every
// protocol problem named.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// Exit codes: a public interface, documented in `mqttpcap --help`.
const (
	exitOK        = 0   // the capture was read to its end (protocol problems are findings, not failures)
	exitError     = 1   // an unexpected error (writing the output failed, ...)
	exitUsage     = 2   // bad flags or arguments
	exitInput     = 3   // the input could not be read: missing, unreadable, not a capture
	exitDamaged   = 4   // the capture is cut short or damaged: everything before the damage was printed
	exitRefused   = 5   // a token does not verify or has errors, or the server refused (replay)
	exitNoServer  = 6   // replay: the server could not be reached
	exitInterrupt = 130 // interrupted (Ctrl-C)
)

const exitStatusHelp = `EXIT STATUS
  0    the capture was read to its end (protocol problems found in the
       traffic are findings, not failures)
  1    an unexpected error, such as a failed write of the output
  2    bad flags or arguments
  3    the input could not be read: missing, unreadable, or not a capture
  4    the capture is cut short or damaged: everything before the damage
       was printed, and the error says where it ends
  5    token verify: the signature does not verify; token decode: the
       token has an error the platform refuses it for; replay, send: the
       server refused the login, closed without a CONNACK, closed a
       connection before the client's DISCONNECT, or does not speak MQTT
  6    replay: the server could not be reached (connection refused,
       unknown host, no answer)
  130  interrupted (Ctrl-C)

With several captures (read, stats), every one is read even when some
fail, each failure is named on its own line, and the exit status is the
smallest of their codes: 1, then 3, then 4.`

func main() {
	_ = boundGCHeadroom(os.Getenv) // for the whole process: nothing to stop
	os.Exit(run(os.Args[1:], systemIO()))
}

// run executes one command line and returns the exit code.
func run(args []string, ios *ioStreams) (code int) {
	defer func() {
		// A bug must not end in a Go panic trace and exit 2 (the code of bad
		// flags): say what happened, with the stack for a report.
		if v := recover(); v != nil {
			fmt.Fprintf(ios.ErrOut, "mqttpcap: internal error: %v (a bug in mqttpcap: please report it with the command line)\n%s", v, debug.Stack())
			code = exitError
		}
	}()
	defer startProfiles(ios.getenv)()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if path := ios.getenv("MQTTPCAP_TEST_SIGNALS_READY"); path != "" {
		// For the interrupt tests: Ctrl-C is handled from here on, so a
		// script can send it without guessing how long start-up takes.
		_ = os.WriteFile(path, nil, 0o644)
	}
	root := newRootCmd(ios)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	return reportError(ios.ErrOut, err)
}

// cliError is an error with an exit code and hints for the user.
type cliError struct {
	code  int
	err   error
	hints []string
}

func (e *cliError) Error() string { return e.err.Error() }
func (e *cliError) Unwrap() error { return e.err }

func usageErr(err error, hints ...string) error {
	return &cliError{code: exitUsage, err: err, hints: hints}
}

func withCode(code int, err error, hints ...string) error {
	return &cliError{code: code, err: err, hints: hints}
}

// libraryPrefixes are the contexts the onenet package puts in its errors
// for programs ("onenet: parse token: ..."): the CLI's messages already
// say what was being done, so users do not see them.
var libraryPrefixes = []string{"onenet: parse token: ", "onenet: verify: ", "onenet: sign: ", "onenet: generate: ", "onenet: percent-decode: "}

// userMessage is an error's text without library prefixes.
func userMessage(s string) string {
	for _, p := range libraryPrefixes {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}

// reportError prints err as one line (and its hints) and picks the exit code.
func reportError(w io.Writer, err error) int {
	code := exitError
	var hints []string
	var ce *cliError
	var reported *reportedError
	switch {
	case errors.As(err, &reported):
		return reported.code
	case errors.As(err, &ce):
		code, hints = ce.code, ce.hints
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(w, "mqttpcap: interrupted")
		return exitInterrupt
	case isUsage(err):
		code = exitUsage
		hints = []string{"run 'mqttpcap --help' for usage"}
	}
	fmt.Fprintf(w, "mqttpcap: %s\n", userMessage(err.Error()))
	for _, h := range hints {
		fmt.Fprintf(w, "mqttpcap: hint: %s\n", h)
	}
	return code
}
