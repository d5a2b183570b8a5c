// Command rawsend opens one TCP connection and sends MQTT packets given as
// hex strings exactly as given: it never parses or re-encodes them, so it can
// replay captured sessions byte for byte and send deliberately broken packets.
//
// Usage:
//
//	rawsend [-to 127.0.0.1:1883] [-pause 50ms] [-pauses 50ms,0s,...] [-split-delay 20ms] [-read-timeout 1s] HEX...
//
// Each HEX argument is one packet. Spaces and ':' inside it are ignored. A '|'
// marks a split point: the bytes before and after it are written separately
// (TCP_NODELAY is set and rawsend sleeps -split-delay between the writes), so
// each piece leaves as its own TCP segment. Example: "10|98|0100044d..." sends
// 10, then 98, then the rest. rawsend sleeps -pause between packets, or, with
// -pauses, the listed durations: the Nth entry is the pause between packet N
// and packet N+1 (packets past the end of the list fall back to -pause).
// "-pauses 50ms,0s,0s,100ms" writes packets 2-4 back to back (still one
// write, so one segment, each: TCP_NODELAY), 50 ms after packet 1.
//
// Everything the server sends is printed to stdout as "< HEX" lines (one line
// per read) while sending and afterwards, until the server closes the
// connection or nothing has arrived for -read-timeout. An empty HEX argument
// ("") only pauses. rawsend exits 0 even if the server closes early or resets
// the connection (that is often what is being recorded); it reports such
// errors on stderr.
package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

func main() {
	to := flag.String("to", "127.0.0.1:1883", "server address HOST:PORT")
	pause := flag.Duration("pause", 50*time.Millisecond, "pause between packets")
	pauses := flag.String("pauses", "", "comma-separated per-packet pauses: entry N is the pause between packet N and N+1 (default -pause)")
	splitDelay := flag.Duration("split-delay", 20*time.Millisecond, "pause between the pieces of a split packet")
	readTimeout := flag.Duration("read-timeout", time.Second, "stop reading after this long without data once all packets are sent")
	flag.Parse()

	var pauseList []time.Duration
	if *pauses != "" {
		for _, f := range strings.Split(*pauses, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(f))
			if err != nil || d < 0 {
				fmt.Fprintf(os.Stderr, "rawsend: -pauses: bad duration %q\n", f)
				os.Exit(2)
			}
			pauseList = append(pauseList, d)
		}
	}
	pauseBefore := func(i int) time.Duration { // i: 0-based index of the next packet
		if i-1 < len(pauseList) {
			return pauseList[i-1]
		}
		return *pause
	}

	packets := make([][][]byte, 0, flag.NArg())
	for i, arg := range flag.Args() {
		pieces, err := parsePacket(arg)
		if err != nil {
			fmt.Fprintf(os.Stderr, "rawsend: packet %d: %v\n", i+1, err)
			os.Exit(2)
		}
		packets = append(packets, pieces)
	}

	conn, err := net.DialTimeout("tcp", *to, 5*time.Second)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rawsend: %v\n", err)
		os.Exit(1)
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}

	var (
		mu       sync.Mutex
		lastRead = time.Now()
		done     = make(chan struct{})
	)
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			n, err := conn.Read(buf)
			if n > 0 {
				mu.Lock()
				lastRead = time.Now()
				mu.Unlock()
				fmt.Printf("< %x\n", buf[:n])
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
					fmt.Fprintf(os.Stderr, "rawsend: read: %v\n", err)
				}
				return
			}
		}
	}()

send:
	for i, pieces := range packets {
		if i > 0 {
			time.Sleep(pauseBefore(i))
		}
		for j, piece := range pieces {
			if j > 0 {
				time.Sleep(*splitDelay)
			}
			if len(piece) == 0 {
				continue
			}
			fmt.Printf("> %x\n", piece)
			if _, err := conn.Write(piece); err != nil {
				fmt.Fprintf(os.Stderr, "rawsend: write packet %d: %v\n", i+1, err)
				break send
			}
		}
	}

	// Read until the server closes or stays silent for readTimeout.
	mu.Lock()
	lastRead = time.Now()
	mu.Unlock()
	for {
		select {
		case <-done:
			return
		case <-time.After(10 * time.Millisecond):
		}
		mu.Lock()
		idle := time.Since(lastRead)
		mu.Unlock()
		if idle >= *readTimeout {
			return // deferred Close sends FIN
		}
	}
}

// parsePacket decodes one hex argument into its pieces, split at '|'.
func parsePacket(arg string) ([][]byte, error) {
	clean := strings.NewReplacer(" ", "", ":", "", "\n", "", "\t", "").Replace(arg)
	var pieces [][]byte
	for _, part := range strings.Split(clean, "|") {
		b, err := hex.DecodeString(part)
		if err != nil {
			return nil, err
		}
		pieces = append(pieces, b)
	}
	return pieces, nil
}
