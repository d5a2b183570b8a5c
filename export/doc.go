// Package export writes chosen MQTT packets in forms other tools take: an
// AT command script for an ESP8266 (the usual OneNET workflow, typed into a
// serial terminal), plain hex lines, a C header for firmware, and encoder
// test fixtures (JSON or a Go test table) with each packet's decoded fields
// and exact bytes.
//
// It takes packets that were decoded (and possibly rewritten, e.g. with a
// refreshed OneNET token) and writes them; it does not read captures.
package export

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// Packet is one packet to export, with where it came from.
type Packet struct {
	Frame  uint64
	Time   time.Time
	Stream int
	Client netip.AddrPort
	Server netip.AddrPort
	// ServerName is the server as an input without TCP names it
	// ("host:port" of an AT+CIPSTART), for packets read by mqttpcap decode.
	ServerName string
	FromClient bool
	// Frame is 0 for a packet built by hand (mqttpcap encode).
	// Packet is the decoded packet (a clone: it outlives the capture's
	// buffers); its Raw bytes are what is exported.
	Packet *decode.Packet
	// Notes say what was changed before export (a refreshed token).
	Notes []string
	// File is the capture file the packet's frame came from when packets
	// of several files are exported ("" for one), and FileFrame the
	// frame's number there. Input numbers the inputs read independently
	// of each other, from 0: stream numbers are per input, so a connection
	// is an input's stream.
	File      string
	FileFrame uint64
	Input     int
	// Interface is the capture interface the packet's connection was seen
	// on, and ConnFrame the connection's first frame (0 for a packet not
	// read from a capture). A stream number alone does not name one
	// connection: the same connection captured on two interfaces, a port
	// reused with the same initial sequence number and the sections of a
	// pcapng file each share one stream number (docs/json.md, "interface"),
	// so a connection is its Input, Stream, Interface and ConnFrame.
	Interface int
	ConnFrame uint64
}

// connKey names a packet's connection (see Packet.Interface).
type connKey struct {
	input, stream, iface int
	first                uint64
}

func (p Packet) conn() connKey {
	return connKey{p.Input, p.Stream, p.Interface, p.ConnFrame}
}

// Name describes a packet in one line: "frame 4 CONNECT client_id=my_tv",
// or with several files "a.pcap frame 4 CONNECT client_id=my_tv" (the
// frame's number in that file).
func (p Packet) Name() string {
	d := p.Packet
	s := d.Type.String()
	switch {
	case p.File != "":
		s = p.File + " frame " + strconv.FormatUint(p.FileFrame, 10) + " " + s
	case p.Frame != 0:
		s = "frame " + strconv.FormatUint(p.Frame, 10) + " " + s
	}
	switch d.Type {
	case decode.CONNECT:
		s += " client_id=" + string(d.ClientID)
	case decode.PUBLISH:
		s += " " + string(d.TopicName())
		if d.QoS > 0 {
			s += " qos=" + strconv.Itoa(int(d.QoS)) + " id=" + strconv.Itoa(int(d.PacketID))
		}
	case decode.SUBSCRIBE, decode.UNSUBSCRIBE:
		s += " id=" + strconv.Itoa(int(d.PacketID))
		for _, sub := range d.Subscriptions {
			s += " " + string(sub.Topic)
		}
		for _, f := range d.TopicFilters {
			s += " " + string(f)
		}
	default:
		if d.HasPacketID {
			s += " id=" + strconv.Itoa(int(d.PacketID))
		}
	}
	return s
}

// identifier makes a C or Go identifier for a packet: "frame4_connect",
// or with several files "in2_frame4_connect" (the input's number from 1,
// and the frame's: inputs read apart number their frames apart).
func (p Packet) identifier() string {
	if p.Frame == 0 {
		return "mqtt_" + lower(p.Packet.Type.String())
	}
	id := "frame" + strconv.FormatUint(p.Frame, 10) + "_" + lower(p.Packet.Type.String())
	if p.File != "" {
		id = "in" + strconv.Itoa(p.Input+1) + "_" + id
	}
	return id
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
