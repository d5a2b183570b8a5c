package export

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
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
}

// AT writes an ESP8266 AT script in non-transparent mode (onenet.md §5.1,
// §5.3): per connection AT+CIPSTART to the captured server, then for each
// packet a comment naming it, AT+CIPSEND=<length> and its bytes as hex (for
// a serial terminal's hex-send mode), and AT+CIPCLOSE. Packets the server
// sent are skipped (a device cannot send them); a packet over 2048 bytes is
// split into several CIPSENDs, and the script says so.
func AT(w io.Writer, pkts []Packet, o ATOptions) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# ESP8266 AT script made by mqttpcap")
	if o.Source != "" {
		fmt.Fprintf(bw, " from %s", o.Source)
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "# Non-transparent mode: send each AT+CIPSEND line, wait for \">\", then send the next line's hex as raw bytes")
	fmt.Fprintln(bw, "# (a serial terminal's HEX send mode); wait for SEND OK before the next command.")
	stream := -1
	for _, p := range pkts {
		if !p.FromClient {
			fmt.Fprintf(bw, "# skipped %s: sent by the server\n", p.Name())
			continue
		}
		if p.Stream != stream {
			if stream >= 0 {
				fmt.Fprintln(bw, "AT+CIPCLOSE")
			}
			stream = p.Stream
			host, port := p.Server.Addr().String(), int(p.Server.Port())
			if o.Server != "" {
				host = o.Server
			}
			if o.Port != 0 {
				port = o.Port
			}
			if p.Client.IsValid() {
				fmt.Fprintf(bw, "# stream %d: %s → %s\n", p.Stream, p.Client, p.Server)
			}
			fmt.Fprintf(bw, "AT+CIPSTART=\"TCP\",\"%s\",%d\n", host, port)
			fmt.Fprintln(bw, "AT+CIPMODE=0")
		}
		raw := p.Packet.Raw
		fmt.Fprintf(bw, "# %s (%d bytes)\n", p.Name(), len(raw))
		for _, n := range p.Notes {
			fmt.Fprintf(bw, "# %s\n", n)
		}
		for _, pr := range p.Packet.Problems {
			fmt.Fprintf(bw, "# ! malformed, sent as captured: %s\n", problemText(pr))
		}
		if len(raw) > MaxCIPSend {
			parts := (len(raw) + MaxCIPSend - 1) / MaxCIPSend
			fmt.Fprintf(bw, "# %d bytes is over the ESP8266's %d-byte AT+CIPSEND limit: sent in %d parts (TCP is a stream; the broker reassembles them)\n",
				len(raw), MaxCIPSend, parts)
		}
		for off := 0; off < len(raw); off += MaxCIPSend {
			part := raw[off:min(off+MaxCIPSend, len(raw))]
			fmt.Fprintln(bw, "AT+CIPSEND="+strconv.Itoa(len(part)))
			fmt.Fprintln(bw, hex.EncodeToString(part))
		}
	}
	if stream >= 0 {
		fmt.Fprintln(bw, "AT+CIPCLOSE")
	}
	return bw.Flush()
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
