package export

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// MaxCIPSend is the most bytes one AT+CIPSEND takes on the ESP8266 AT
// firmware (onenet.md §5.1: "Maximum: 2048 bytes" on the ESP8266 branch).
const MaxCIPSend = 2048

// ATOptions configure the AT script.
type ATOptions struct {
	// Server overrides the host in AT+CIPSTART (a name such as
	// studio-mqtt.heclouds.com instead of the captured IP address).
	Server string
	// Port overrides the port.
	Port int
	// Source names the capture, for the header comment.
	Source string
	// Plain leaves every comment out: the script is only what the module
	// is sent, to paste as it is (at-plain).
	Plain bool
}

// ErrNoServer is returned when a packet's server is not known (an input
// without addresses) and ATOptions does not give one.
var ErrNoServer = errors.New("the input does not say which server the packets went to")

// AT writes an ESP8266 AT script in non-transparent mode (onenet.md §5.1,
// §5.3): per connection AT+CIPSTART to the captured server, then for each
// packet a comment naming it, AT+CIPSEND=<length> and its bytes as hex (for
// a serial terminal's hex-send mode), and AT+CIPCLOSE. Packets the server
// sent are skipped (a device cannot send them); a packet over 2048 bytes is
// split into several CIPSENDs, and the script says so.
func AT(w io.Writer, pkts []Packet, o ATOptions) error {
	bw := bufio.NewWriter(w)
	comment := func(format string, args ...any) {
		if !o.Plain {
			fmt.Fprintf(bw, "# "+format+"\n", args...)
		}
	}
	if o.Source != "" {
		comment("ESP8266 AT script made by mqttpcap from %s", o.Source)
	} else {
		comment("ESP8266 AT script made by mqttpcap")
	}
	comment("Non-transparent mode: send each AT+CIPSEND line, wait for \">\", then send the next line's hex as raw bytes")
	comment("(a serial terminal's HEX send mode); wait for SEND OK before the next command.")
	// One block per connection, not per stream number: a stream number
	// can hold several connections (Packet.Interface), and a second
	// CONNECT on one socket makes the broker close it.
	var cur connKey
	open := false
	seen := map[connKey]bool{} // the connections and stream numbers written
	for _, p := range pkts {
		if !p.FromClient {
			comment("skipped %s: sent by the server", p.Name())
			continue
		}
		if !open || p.conn() != cur {
			if open {
				fmt.Fprintln(bw, "AT+CIPCLOSE")
			}
			cur, open = p.conn(), true
			host, port, _ := serverOf(p)
			if o.Server != "" {
				host = o.Server
			}
			if o.Port != 0 {
				port = o.Port
			}
			if host == "" {
				return fmt.Errorf("%s: %w", p.Name(), ErrNoServer)
			}
			if port == 0 {
				port = 1883
			}
			if p.Client.IsValid() {
				comment("%s: %s → %s", streamText(p, seen), p.Client, p.Server)
			}
			fmt.Fprintf(bw, "AT+CIPSTART=\"TCP\",\"%s\",%d\n", host, port)
			fmt.Fprintln(bw, "AT+CIPMODE=0")
		}
		raw := p.Packet.Raw
		comment("%s (%d bytes)", p.Name(), len(raw))
		for _, n := range p.Notes {
			comment("%s", n)
		}
		for _, pr := range p.Packet.Problems {
			comment("! malformed, sent as captured: %s", problemText(pr))
		}
		if len(raw) > MaxCIPSend {
			parts := (len(raw) + MaxCIPSend - 1) / MaxCIPSend
			comment("%d bytes is over the ESP8266's %d-byte AT+CIPSEND limit: sent in %d parts (TCP is a stream; the broker reassembles them)",
				len(raw), MaxCIPSend, parts)
		}
		for off := 0; off < len(raw); off += MaxCIPSend {
			part := raw[off:min(off+MaxCIPSend, len(raw))]
			fmt.Fprintln(bw, "AT+CIPSEND="+strconv.Itoa(len(part)))
			fmt.Fprintln(bw, hex.EncodeToString(part))
		}
	}
	if open {
		fmt.Fprintln(bw, "AT+CIPCLOSE")
	}
	return bw.Flush()
}

// streamText names a block's connection as read's list does: "stream 0",
// "stream 0 (capture interface 1)" for the copy seen on a second
// interface, "stream 2 (another connection, from frame 28)" for a later
// connection under the same stream number; "of FILE" with several
// inputs. seen holds the connections, and stream numbers on an
// interface, named so far.
func streamText(p Packet, seen map[connKey]bool) string {
	s := "stream " + strconv.Itoa(p.Stream)
	if p.File != "" {
		s += " of " + p.File
	}
	if p.Interface != 0 {
		s += " (capture interface " + strconv.Itoa(p.Interface) + ")"
	}
	k := connKey{input: p.Input, stream: p.Stream, iface: p.Interface}
	switch {
	case !seen[k] || seen[p.conn()] || p.ConnFrame == 0:
	case p.File != "":
		// ConnFrame counts the frames of all the inputs: not the file's.
		s += " (another connection)"
	default:
		s += " (another connection, from frame " + strconv.FormatUint(p.ConnFrame, 10) + ")"
	}
	seen[k], seen[p.conn()] = true, true
	return s
}

// Hex writes one packet per line, lowercase hex and nothing else (for
// serial tools in hex mode).
func Hex(w io.Writer, pkts []Packet) error {
	bw := bufio.NewWriter(w)
	for _, p := range pkts {
		fmt.Fprintln(bw, hex.EncodeToString(p.Packet.Raw))
	}
	return bw.Flush()
}

// serverOf is a packet's server: the name an input gave it, else its
// address; ok is false when neither is known.
func serverOf(p Packet) (host string, port int, ok bool) {
	if p.ServerName != "" {
		h, ps, err := net.SplitHostPort(p.ServerName)
		if err == nil {
			n, _ := strconv.Atoi(ps)
			return h, n, true
		}
		return p.ServerName, 0, true
	}
	if p.Server.IsValid() {
		return p.Server.Addr().String(), int(p.Server.Port()), true
	}
	return "", 0, false
}

// HexSpaced writes one packet per line as spaced hex ("10 98 01 ..."),
// what serial tools' HEX send mode takes.
func HexSpaced(w io.Writer, pkts []Packet) error {
	bw := bufio.NewWriter(w)
	for _, p := range pkts {
		fmt.Fprintf(bw, "% x\n", p.Packet.Raw)
	}
	return bw.Flush()
}

// Bin writes each packet's raw bytes to a file of its own in dir, named
// so that they sort in order ("001-stream0-connect.bin"), and returns the
// paths: a terminal's "send file" takes them as they are, and
// `mqttpcap decode dir/*.bin` reads them back.
func Bin(dir string, pkts []Packet) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	width := max(3, len(strconv.Itoa(len(pkts))))
	var paths []string
	for i, p := range pkts {
		name := fmt.Sprintf("%0*d", width, i+1)
		if p.Frame != 0 {
			name += "-stream" + strconv.Itoa(p.Stream)
		}
		name += "-" + strings.ToLower(p.Packet.Type.String()) + ".bin"
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, p.Packet.Raw, 0o644); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// ByConnection orders packets one connection after another, in the order
// the connections first appear, keeping each connection's packets in their
// order: what a device replays, one connection (one AT+CIPSTART) at a time.
// Packets of several inputs (Input) stay in the order given: each input's
// connections after the previous input's.
func ByConnection(pkts []Packet) []Packet {
	first := map[connKey]int{}
	for i, p := range pkts {
		if _, ok := first[p.conn()]; !ok {
			first[p.conn()] = i
		}
	}
	out := append([]Packet(nil), pkts...)
	sort.SliceStable(out, func(i, j int) bool {
		return first[out[i].conn()] < first[out[j].conn()]
	})
	return out
}

// Connections splits packets into their connections (Packet.Interface),
// in the order the connections first appear, each keeping its packets'
// order: what replay sends on one socket each.
func Connections(pkts []Packet) [][]Packet {
	var out [][]Packet
	index := map[connKey]int{}
	for _, p := range pkts {
		i, ok := index[p.conn()]
		if !ok {
			i = len(out)
			index[p.conn()] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], p)
	}
	return out
}
