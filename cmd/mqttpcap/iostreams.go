package main

import (
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"golang.org/x/term"
)

// ioStreams carries the standard streams and what is known about them, so
// that tests can run commands with buffers as if on a terminal or a pipe.
type ioStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and ErrTTY say whether stdout and stderr are terminals.
	OutTTY, ErrTTY bool
	// Environ is the environment (NO_COLOR, TERM, COLUMNS...).
	Environ []string
	// Width is the terminal width (0 when unknown).
	Width int
	// terminal, when Out stands in for stdout (an input's output held
	// back while others are written, see eachInput), is stdout itself,
	// whose colour profile is detected.
	terminal io.Writer
}

func systemIO() *ioStreams {
	ios := &ioStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Environ: os.Environ()}
	ios.OutTTY = term.IsTerminal(int(os.Stdout.Fd()))
	ios.ErrTTY = term.IsTerminal(int(os.Stderr.Fd()))
	if ios.OutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			ios.Width = w
		}
	}
	return ios
}

func (ios *ioStreams) getenv(key string) string {
	prefix := key + "="
	for i := len(ios.Environ) - 1; i >= 0; i-- {
		if strings.HasPrefix(ios.Environ[i], prefix) {
			return ios.Environ[i][len(prefix):]
		}
	}
	return ""
}

// colorOutput decides whether stdout is styled, and returns the writer to
// use for it. Styled output goes through one colorprofile.Writer, which
// downsamples lipgloss's colours to what the terminal supports
// (go-stack.md §6). NO_COLOR with any non-empty value disables colour
// (no-color.org; colorprofile itself ignores NO_COLOR=yes).
func (ios *ioStreams) colorOutput(mode string) (io.Writer, bool) {
	var profile colorprofile.Profile
	switch mode {
	case "never":
		return ios.Out, false
	case "always":
		profile = colorprofile.ANSI256
		if ios.OutTTY {
			profile = max(profile, ios.detectProfile())
		}
	default: // auto
		if !ios.OutTTY || ios.getenv("NO_COLOR") != "" {
			return ios.Out, false
		}
		profile = ios.detectProfile()
		if profile <= colorprofile.NoTTY {
			return ios.Out, false
		}
	}
	return &colorprofile.Writer{Forward: ios.Out, Profile: profile}, true
}

// termWidth is the width to lay output out for: the terminal's, or
// $COLUMNS, or 0 (no limit) when piped.
func (ios *ioStreams) termWidth() int {
	if ios.Width > 0 {
		return ios.Width
	}
	if n, err := strconv.Atoi(ios.getenv("COLUMNS")); err == nil && n > 0 && ios.OutTTY {
		return n
	}
	return 0
}

// detectProfile is the colour profile of a stdout known to be a terminal:
// colorprofile.Detect asks the file itself, which a test's buffer is not.
func (ios *ioStreams) detectProfile() colorprofile.Profile {
	out := ios.Out
	if ios.terminal != nil {
		out = ios.terminal
	}
	p := colorprofile.Detect(out, ios.Environ)
	if p <= colorprofile.NoTTY {
		p = colorprofile.Env(ios.Environ)
	}
	return p
}
