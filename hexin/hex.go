package hexin

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// decodeHex reads one line of hex in any of its common spellings: "10 98
// 01", "109801", "0x10, 0x98, 0x01", "\x10\x98\x01", "10:98:01".
func decodeHex(s string) ([]byte, error) {
	var out []byte
	digits := make([]byte, 0, 2)
	flush := func() error {
		switch len(digits) {
		case 0:
		case 1:
			// "0x1" in a C array is one byte.
			out = append(out, unhex(digits[0]))
		default:
			return errors.New("odd hex")
		}
		digits = digits[:0]
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case (c == '0' && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X')) && len(digits) == 0 && (i+2 < len(s) && isHex(s[i+2])):
			i++ // 0x prefix
		case c == '\\' && i+1 < len(s) && s[i+1] == 'x':
			if err := flush(); err != nil {
				return nil, err
			}
			i++
		case isHex(c):
			digits = append(digits, c)
			if len(digits) == 2 && !(i+1 < len(s) && isHex(s[i+1]) && prefixed(s, i)) {
				out = append(out, unhex(digits[0])<<4|unhex(digits[1]))
				digits = digits[:0]
			}
		case c == ' ' || c == '\t' || c == ',' || c == ':' || c == ';' || c == '\r':
			if err := flush(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%q is not hex", c)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// prefixed says whether the hex digits ending at s[i] follow "0x": then a
// third digit would be an error, not the start of the next byte.
func prefixed(s string, i int) bool {
	return i >= 3 && (s[i-2] == 'x' || s[i-2] == 'X') && s[i-3] == '0'
}

// fromHexLines reads hex, one packet (or part of a stream) per line;
// blank lines and # or // comments are skipped. A line that is the whole
// frame Wireshark copied ("Copy as Hex Stream" of the frame, not of the MQTT
// layer) keeps only its TCP payload.
func fromHexLines(data []byte) (*Input, error) {
	in := &Input{Format: "hex", Conns: []Conn{{}}}
	frames := newFrameConns(in)
	for n, line := range strings.Split(string(data), "\n") {
		s := strings.TrimSpace(line)
		if i := strings.Index(s, "//"); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		if s == "" || s[0] == '#' {
			continue
		}
		b, err := decodeHex(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: not hex (%v): %q", n+1, err, shorten(s))
		}
		if len(b) == 0 {
			continue
		}
		if frames.add(b, n+1) {
			continue
		}
		in.Segments = append(in.Segments, Segment{Dir: DirUnknown, Data: b, Line: n + 1})
	}
	return in, nil
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

var (
	byteLiteral  = regexp.MustCompile(`0[xX][0-9a-fA-F]{1,2}\b`)
	blockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	lineComment  = regexp.MustCompile(`//[^\n]*`)
	goFrom       = regexp.MustCompile(`From:\s*"(client|server)"`)
	goStream     = regexp.MustCompile(`Stream:\s*(\d+)`)
	goInput      = regexp.MustCompile(`Input:\s*(\d+)`)
)

// hasByteArrays says whether data holds C or Go byte arrays: 0x literals
// between braces.
func hasByteArrays(data []byte) bool {
	return bytes.Contains(data, []byte("{")) && byteLiteral.Match(data)
}

// fromArrays reads each innermost {...} that holds 0x literals as one
// packet: the C header and the Go fixture exports, and byte arrays written
// by hand. Comments are skipped (keeping line numbers); a Go fixture's
// From and Stream fields (and Input, for several captures) give each
// packet's side and connection.
func fromArrays(data []byte) (*Input, error) {
	text := blockComment.ReplaceAllFunc(data, keepNewlines)
	text = lineComment.ReplaceAllFunc(text, keepNewlines)
	in := &Input{Format: "c"}
	if bytes.Contains(text, []byte("package ")) && bytes.Contains(text, []byte("Bytes:")) {
		in.Format = "go"
	}
	open, prevEnd := -1, 0
	type connKey struct{ input, stream int }
	streams := map[connKey]int{}
	for i, c := range text {
		switch c {
		case '{':
			open = i
		case '}':
			if open < 0 {
				continue
			}
			body := text[open+1 : i]
			lits := byteLiteral.FindAll(body, -1)
			if len(lits) == 0 {
				open = -1
				continue
			}
			var b []byte
			for _, l := range lits {
				v, _ := strconv.ParseUint(string(l[2:]), 16, 8)
				b = append(b, byte(v))
			}
			before := text[prevEnd:open]
			d, conn := DirUnknown, 0
			if m := goFrom.FindSubmatch(before); m != nil {
				d = DirClient
				if string(m[1]) == "server" {
					d = DirServer
				}
			}
			if m := goStream.FindSubmatch(before); m != nil {
				key := connKey{}
				key.stream, _ = strconv.Atoi(string(m[1]))
				if m := goInput.FindSubmatch(before); m != nil {
					key.input, _ = strconv.Atoi(string(m[1]))
				}
				c, ok := streams[key]
				if !ok {
					c = len(streams)
					streams[key] = c
				}
				conn = c
			}
			for len(in.Conns) <= conn {
				in.Conns = append(in.Conns, Conn{})
			}
			line := 1 + bytes.Count(text[:i], []byte("\n"))
			in.Segments = append(in.Segments, Segment{Conn: conn, Dir: d, Data: b, Line: line})
			open, prevEnd = -1, i+1
		}
	}
	if len(in.Conns) == 0 {
		in.Conns = append(in.Conns, Conn{})
	}
	return in, nil
}

func keepNewlines(b []byte) []byte {
	return bytes.Repeat([]byte("\n"), bytes.Count(b, []byte("\n")))
}

// dumpLine is a line of a Wireshark or tshark hex dump: an offset, then up
// to 16 bytes, then their ASCII.
var dumpLine = regexp.MustCompile(`^([0-9a-fA-F]{4,8})[ \t]{1,4}([0-9a-fA-F]{2}(?:  ?[0-9a-fA-F]{2}){0,15})(?:\s{2,}.*)?$`)

func isWiresharkDump(data []byte) bool {
	lines := 0
	for _, line := range strings.Split(string(data), "\n") {
		s := strings.TrimRight(line, "\r")
		if strings.TrimSpace(s) == "" {
			continue
		}
		m := dumpLine.FindStringSubmatch(s)
		if m == nil {
			return false
		}
		if off, _ := strconv.ParseUint(m[1], 16, 32); off%16 != 0 {
			return false
		}
		lines++
	}
	return lines > 0
}

// fromDump reads a hex dump with offsets ("0000   10 98 01 00 ...   ..MQ"):
// each run of lines whose offsets start at 0 is one frame or packet.
func fromDump(data []byte) (*Input, error) {
	in := &Input{Format: "wireshark", Conns: []Conn{{}}}
	frames := newFrameConns(in)
	var cur []byte
	curLine := 0
	flush := func() {
		if len(cur) > 0 && !frames.add(cur, curLine) {
			in.Segments = append(in.Segments, Segment{Dir: DirUnknown, Data: cur, Line: curLine})
		}
		cur = nil
	}
	for n, line := range strings.Split(string(data), "\n") {
		s := strings.TrimRight(line, "\r")
		if strings.TrimSpace(s) == "" {
			flush()
			continue
		}
		m := dumpLine.FindStringSubmatch(s)
		off, _ := strconv.ParseUint(m[1], 16, 32)
		if off == 0 || int(off) != len(cur) {
			flush()
			if off != 0 {
				return nil, fmt.Errorf("line %d: offset %s does not follow the previous line", n+1, m[1])
			}
		}
		b, err := decodeHex(m[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n+1, err)
		}
		cur = append(cur, b...)
		curLine = n + 1
	}
	flush()
	return in, nil
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
