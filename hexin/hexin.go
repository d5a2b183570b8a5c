// Package hexin reads MQTT packets written down as text, the way they
// reach a firmware developer without a capture: hex in every common form
// (plain, spaced, 0x-prefixed, C arrays, Wireshark's "Copy as Hex Stream"
// and "Hex Dump"), mqttpcap's own exports (at, at-plain, hex, hex-spaced,
// c, fixture, go), an ESP8266 serial log (esp8266.ParseLog), or raw bytes.
//
// It gives the connections it found and, per connection, runs of bytes
// with their direction and the input line they end on; it does not decode
// MQTT. Inputs that do not say which side sent a packet (hex lines, C
// arrays, raw bytes) are cut into packets and each is given the side that
// sends its type (a CONNACK is the server's; a PUBLISH, of either side, is
// taken as the client's), and a CONNECT after the client's first packet
// starts a new connection: that is how exports of several connections
// read back.
package hexin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/mqttpcap/mqttpcap/esp8266"
)

// Dir is the side that sent a run of bytes.
type Dir uint8

// Directions.
const (
	DirUnknown Dir = iota
	DirClient
	DirServer
)

// Input is what Parse found.
type Input struct {
	// Format names the form of the input: "serial" (an AT dialogue with
	// the module's answers), "at" (an AT script), "fixture", "go", "c",
	// "wireshark" (a hex dump with offsets), "hex" or "raw".
	Format   string
	Conns    []Conn
	Segments []Segment
	// Notes say what the reader should know about the input (bytes an AT
	// log announces but does not hold).
	Notes []string
}

// Conn is one connection of the input.
type Conn struct {
	// Server is the server as the input names it ("host:port", from
	// AT+CIPSTART), "" when it does not.
	Server string
	// Client and ServerAddr are the addresses of Wireshark frames.
	Client, ServerAddr netip.AddrPort
	// TLS is set for an AT+CIPSTART="SSL" connection.
	TLS bool
	// Closed is the side that closed the connection (DirUnknown: the input
	// ends first), at CloseLine.
	Closed    Dir
	CloseLine int
}

// Segment is a run of bytes of one direction of a connection.
type Segment struct {
	Conn int
	Dir  Dir
	Data []byte
	// Line is the input line of the segment's last byte (1-based); for
	// raw input, the packet's number.
	Line int
}

// ErrNoPackets is returned when the input holds nothing Parse can read as
// MQTT bytes.
var ErrNoPackets = errors.New("no MQTT bytes found")

// Parse reads data in whichever of its forms it is.
func Parse(data []byte) (*Input, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: the input is empty", ErrNoPackets)
	}
	var in *Input
	var err error
	switch {
	case esp8266.LooksLikeLog(data):
		in = fromLog(data)
	case trimmed[0] == '{' && json.Valid(trimmed):
		in, err = fromFixture(data)
	case isWiresharkDump(data):
		in, err = fromDump(data)
	case hasByteArrays(data):
		in, err = fromArrays(data)
	case isText(data):
		in, err = fromHexLines(data)
	default:
		in = &Input{Format: "raw", Conns: []Conn{{}}, Segments: []Segment{{Data: data, Line: 1}}}
	}
	if err != nil {
		return nil, err
	}
	in.resolve()
	if len(in.Segments) == 0 {
		return nil, fmt.Errorf("%w in the %s input", ErrNoPackets, in.Format)
	}
	return in, nil
}

// answerLine is an answer of the module, which an AT script has none of.
var answerLine = regexp.MustCompile(`(?m)^(OK|SEND OK|ERROR|CONNECT|CLOSED)\r?$`)

// fromLog reads an ESP8266 AT dialogue or an AT script.
func fromLog(data []byte) *Input {
	lg := esp8266.ParseLog(data)
	in := &Input{Format: "at"}
	if bytes.Contains(data, []byte("+IPD,")) || answerLine.Match(data) {
		in.Format = "serial"
	}
	for _, c := range lg.Conns {
		conn := Conn{TLS: c.Type == "SSL" || c.Type == "SSLV6", CloseLine: c.CloseLine}
		if c.Host != "" {
			conn.Server = joinHostPort(c.Host, c.Port)
		}
		switch c.Closed {
		case "server":
			conn.Closed = DirServer
		case "client":
			conn.Closed = DirClient
		}
		in.Conns = append(in.Conns, conn)
	}
	for _, ch := range lg.Chunks {
		d := DirClient
		if ch.FromServer {
			d = DirServer
		}
		in.Segments = append(in.Segments, Segment{Conn: ch.Conn, Dir: d, Data: ch.Data, Line: ch.Line})
	}
	if lg.Missing > 0 {
		in.Notes = append(in.Notes, strconv.Itoa(lg.Missing)+" AT+CIPSEND prompt(s) in the log are not followed by the bytes sent (the log holds only what the module printed): those packets cannot be decoded")
	}
	return in
}

func joinHostPort(host string, port int) string {
	if addr, err := netip.ParseAddr(host); err == nil && addr.Is6() {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}

// fromFixture reads a fixture of `--export-hex fixture`: packets with
// "hex", "from" and (when written) "stream" and "input" (packets of
// several captures: a connection is an input's stream).
func fromFixture(data []byte) (*Input, error) {
	var doc struct {
		Packets []struct {
			Hex    string `json:"hex"`
			From   string `json:"from"`
			Stream *int   `json:"stream"`
			Input  int    `json:"input"`
		} `json:"packets"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not a fixture: %w", err)
	}
	in := &Input{Format: "fixture"}
	type connKey struct{ input, stream int }
	streams := map[connKey]int{}
	for i, p := range doc.Packets {
		b, err := decodeHex(p.Hex)
		if err != nil {
			return nil, fmt.Errorf("packet %d: \"hex\" is not hex", i+1)
		}
		d := DirUnknown
		switch p.From {
		case "client":
			d = DirClient
		case "server":
			d = DirServer
		}
		conn := 0
		if p.Stream != nil {
			key := connKey{p.Input, *p.Stream}
			c, ok := streams[key]
			if !ok {
				c = len(streams)
				streams[key] = c
				in.Conns = append(in.Conns, Conn{})
			}
			conn = c
		} else if len(in.Conns) == 0 {
			in.Conns = append(in.Conns, Conn{})
		}
		line := 1 + bytes.Count(data[:max(bytes.Index(data, []byte(p.Hex)), 0)], []byte("\n"))
		in.Segments = append(in.Segments, Segment{Conn: conn, Dir: d, Data: b, Line: line})
	}
	return in, nil
}

// isText says whether data is text (UTF-8 without control characters
// other than line breaks and tabs).
func isText(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, c := range data {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// ParseRaw reads several files of raw bytes (the bin export: one packet per
// file) in order, as one input; a packet's "line" is its file's number.
func ParseRaw(parts [][]byte) (*Input, error) {
	in := &Input{Format: "raw", Conns: []Conn{{}}}
	for i, p := range parts {
		if len(p) == 0 {
			continue
		}
		if isText(p) {
			return nil, fmt.Errorf("file %d of %d is text, not raw bytes", i+1, len(parts))
		}
		in.Segments = append(in.Segments, Segment{Data: p, Line: i + 1})
	}
	in.resolve()
	if len(in.Segments) == 0 {
		return nil, fmt.Errorf("%w: the files are empty", ErrNoPackets)
	}
	return in, nil
}

// IsHexWord says whether s is hex in one of the spellings Parse reads
// ("10", "1098", "0x10,", "\x10").
func IsHexWord(s string) bool {
	b, err := decodeHex(s)
	return err == nil && len(b) > 0
}
