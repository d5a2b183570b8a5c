package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mqttpcap/mqttpcap/capture"
)

// progress shows how far reading a capture got, on stderr when it is a
// terminal, once reading has taken more than a second; the line is erased
// when reading ends, so it never mixes with the output.
type progress struct {
	w       io.Writer
	src     progressSource
	size    int64 // 0 when unknown (standard input)
	start   time.Time
	shown   bool
	now     func() time.Time
	lastLen int
}

// progressSource is what progress reads of a source: a capture file, or
// several merged (capture.Merged).
type progressSource interface {
	Name() string
	BytesRead() int64
}

var _ progressSource = (*capture.Merged)(nil)

func newProgress(ios *ioStreams, src progressSource, paths ...string) *progress {
	if !ios.ErrTTY {
		return nil
	}
	p := &progress{w: ios.ErrOut, src: src, now: time.Now}
	p.start = p.now()
	for _, path := range paths {
		if st, err := os.Stat(path); err == nil && path != "-" {
			p.size += st.Size()
		} else {
			p.size = 0
			break
		}
	}
	return p
}

// update is the pipeline's Progress callback.
func (p *progress) update(frames uint64) {
	if p == nil || p.now().Sub(p.start) < time.Second {
		return
	}
	read := p.src.BytesRead()
	line := fmt.Sprintf("mqttpcap: reading %s: %s, %d frames", p.src.Name(), mib(read), frames)
	if p.size > 0 {
		line = fmt.Sprintf("mqttpcap: reading %s: %s of %s (%d%%), %d frames", p.src.Name(), mib(read), mib(p.size), read*100/p.size, frames)
	}
	fmt.Fprintf(p.w, "\r%s\x1b[K", line)
	p.shown, p.lastLen = true, len(line)
}

// done erases the progress line.
func (p *progress) done() {
	if p != nil && p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
