// Command wsclient is a small WebSocket client (RFC 6455) that sends MQTT
// bytes in exactly the WebSocket frames and TCP segments it is told to, to
// record the cases a library client never produces: several MQTT packets
// in one message, one packet over several messages, fragmented messages,
// frame headers split across TCP segments, control frames, and frames that
// break the rules.
//
// Usage:
//
//	wsclient [-to 127.0.0.1:8080] [-path /mqtt] [-protocol mqtt] [-pause 50ms]
//	         [-segment N] [-split-delay 20ms] [-unmasked] [-long-length] [-read-timeout 1s] ARG...
//
// It sends the upgrade request, waits for the server's 101, then one item
// per ARG:
//
//	HEX               one binary message with these bytes (spaces ignored)
//	HEX,HEX,...       one binary message in several frames: the first a binary
//	                  frame without FIN, the others continuation frames
//	text:HEX          a text frame
//	ping:HEX          a ping (pong:HEX a pong) with this payload
//	close:CODE:REASON a close frame (close: alone has no status code)
//	raw:HEX           these bytes as they are (a hand-made frame)
//	pause:DURATION    only a pause
//
// Each item's frames are one TCP write (TCP_NODELAY is set), so one segment,
// unless -segment N cuts every write into N-byte pieces, written -split-delay
// apart. "+" joins items into one write: "HEX+HEX" sends two messages in one
// segment. Frames are masked with a fixed key (01 02 03 04, so captures are
// the same on every run) unless -unmasked; -long-length writes every length
// in the 64-bit form (not minimal). Everything the server sends is printed
// as "< " lines, frame by frame, until it closes or is silent for
// -read-timeout.
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	to := flag.String("to", "127.0.0.1:8080", "server address HOST:PORT")
	path := flag.String("path", "/mqtt", "request path")
	protocol := flag.String("protocol", "mqtt", "Sec-WebSocket-Protocol to offer (empty: none)")
	pause := flag.Duration("pause", 50*time.Millisecond, "pause between items")
	segment := flag.Int("segment", 0, "cut every write into pieces of this many bytes (0: whole)")
	splitDelay := flag.Duration("split-delay", 20*time.Millisecond, "pause between the pieces of a cut write")
	unmasked := flag.Bool("unmasked", false, "send frames without a mask (a protocol error for a client)")
	longLength := flag.Bool("long-length", false, "write every payload length in the 64-bit form")
	readTimeout := flag.Duration("read-timeout", time.Second, "stop reading after this long without data")
	flag.Parse()

	conn, err := net.DialTimeout("tcp", *to, 5*time.Second)
	if err != nil {
		fail("%v", err)
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	var key [16]byte
	_, _ = rand.Read(key[:])
	req := "GET " + *path + " HTTP/1.1\r\nHost: " + *to + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + base64.StdEncoding.EncodeToString(key[:]) + "\r\nSec-WebSocket-Version: 13\r\n"
	if *protocol != "" {
		req += "Sec-WebSocket-Protocol: " + *protocol + "\r\n"
	}
	req += "\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		fail("upgrade: %v", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		fail("upgrade: %v", err)
	}
	fmt.Printf("< HTTP %s, subprotocol %q\n", resp.Status, resp.Header.Get("Sec-WebSocket-Protocol"))
	if resp.StatusCode != http.StatusSwitchingProtocols {
		os.Exit(1)
	}

	done := make(chan struct{})
	activity := make(chan struct{}, 1)
	go func() {
		defer close(done)
		readFrames(br, activity)
	}()

	w := writer{conn: conn, segment: *segment, delay: *splitDelay, mask: !*unmasked, long: *longLength}
	for i, arg := range flag.Args() {
		if i > 0 {
			time.Sleep(*pause)
		}
		var out []byte
		for _, item := range strings.Split(arg, "+") {
			b, wait, err := w.item(item)
			if err != nil {
				fail("item %d: %v", i+1, err)
			}
			if wait > 0 {
				time.Sleep(wait)
			}
			out = append(out, b...)
		}
		if len(out) == 0 {
			continue
		}
		if err := w.write(out); err != nil {
			fmt.Fprintf(os.Stderr, "wsclient: write item %d: %v\n", i+1, err)
			break
		}
	}
	for {
		select {
		case <-done:
			return
		case <-activity:
		case <-time.After(*readTimeout):
			return
		}
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "wsclient: "+format+"\n", args...)
	os.Exit(1)
}

type writer struct {
	conn    net.Conn
	segment int
	delay   time.Duration
	mask    bool
	long    bool
}

// item builds the frames of one item (or the pause it asks for).
func (w *writer) item(s string) ([]byte, time.Duration, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		kind, rest = "binary", s
	}
	switch kind {
	case "pause":
		d, err := time.ParseDuration(rest)
		return nil, d, err
	case "raw":
		b, err := unhex(rest)
		return b, 0, err
	case "close":
		if rest == "" {
			return w.frame(true, 0x8, nil), 0, nil
		}
		code, reason, _ := strings.Cut(rest, ":")
		n, err := strconv.Atoi(code)
		if err != nil {
			return nil, 0, err
		}
		p := binary.BigEndian.AppendUint16(nil, uint16(n))
		return w.frame(true, 0x8, append(p, reason...)), 0, nil
	case "ping", "pong", "text":
		b, err := unhex(rest)
		op := map[string]byte{"ping": 0x9, "pong": 0xA, "text": 0x1}[kind]
		return w.frame(true, op, b), 0, err
	case "binary":
		var out []byte
		parts := strings.Split(rest, ",")
		for i, part := range parts {
			b, err := unhex(part)
			if err != nil {
				return nil, 0, err
			}
			op := byte(0x2)
			if i > 0 {
				op = 0x0
			}
			out = append(out, w.frame(i == len(parts)-1, op, b)...)
		}
		return out, 0, nil
	}
	return nil, 0, fmt.Errorf("unknown item kind %q", kind)
}

// frame encodes one frame, masked with the fixed key 01 02 03 04 unless
// the writer sends unmasked frames.
func (w *writer) frame(fin bool, op byte, payload []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	var maskBit byte
	if w.mask {
		maskBit = 0x80
	}
	out := []byte{b0}
	switch n := len(payload); {
	case w.long:
		out = append(out, maskBit|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	case n < 126:
		out = append(out, maskBit|byte(n))
	case n <= 0xffff:
		out = append(out, maskBit|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, maskBit|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	if !w.mask {
		return append(out, payload...)
	}
	key := [4]byte{1, 2, 3, 4}
	out = append(out, key[:]...)
	for i, c := range payload {
		out = append(out, c^key[i&3])
	}
	return out
}

// write sends b, cut into -segment pieces when asked.
func (w *writer) write(b []byte) error {
	for len(b) > 0 {
		n := len(b)
		if w.segment > 0 && n > w.segment {
			n = w.segment
		}
		fmt.Printf("> %x\n", b[:n])
		if _, err := w.conn.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
		if len(b) > 0 {
			time.Sleep(w.delay)
		}
	}
	return nil
}

func unhex(s string) ([]byte, error) {
	return hex.DecodeString(strings.NewReplacer(" ", "", ":", "").Replace(s))
}

// readFrames prints the server's frames until the connection ends.
func readFrames(r *bufio.Reader, activity chan<- struct{}) {
	for {
		var h [2]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return
		}
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var l [2]byte
			if _, err := io.ReadFull(r, l[:]); err != nil {
				return
			}
			n = uint64(binary.BigEndian.Uint16(l[:]))
		case 127:
			var l [8]byte
			if _, err := io.ReadFull(r, l[:]); err != nil {
				return
			}
			n = binary.BigEndian.Uint64(l[:])
		}
		if h[1]&0x80 != 0 {
			var k [4]byte
			if _, err := io.ReadFull(r, k[:]); err != nil {
				return
			}
		}
		p := make([]byte, min(n, 1<<20))
		if _, err := io.ReadFull(r, p); err != nil {
			return
		}
		fmt.Printf("< frame fin=%v opcode=%d %x\n", h[0]&0x80 != 0, h[0]&0x0f, p)
		select {
		case activity <- struct{}{}:
		default:
		}
	}
}
