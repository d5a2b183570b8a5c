package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/onenet"
)

// splitSession cuts the arguments after the first "--" into one list per
// packet.
func splitSession(args []string) [][]string {
	var out [][]string
	cur := []string{}
	for _, a := range args {
		if a == "--" {
			out = append(out, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, a)
	}
	return append(out, cur)
}

// sessionFlags are the flags that apply to the whole output, not a packet.
var sessionFlags = []string{"format", "server", "output", "mqtt-version"}

// sessionPacket builds the n-th packet of a session from its arguments:
// the packet flags start from their defaults; the output flags, when
// given again, must agree.
func (o *encodeOptions) sessionPacket(args []string, n int) (export.Packet, error) {
	p := &encodeOptions{g: o.g, now: o.now}
	f := pflag.NewFlagSet("encode", pflag.ContinueOnError)
	f.SetOutput(io.Discard)
	p.addFlags(f)
	if err := f.Parse(args); err != nil {
		return export.Packet{}, usageErr(fmt.Errorf("encode: packet %d: %w", n, err))
	}
	if f.NArg() != 1 {
		return export.Packet{}, usageErr(fmt.Errorf("encode: packet %d: expected one packet type before its flags, got %q", n, strings.Join(f.Args(), " ")))
	}
	for _, name := range sessionFlags {
		if !f.Changed(name) {
			continue
		}
		mine, theirs := f.Lookup(name).Value.String(), map[string]string{"format": o.format, "server": o.server, "output": o.output, "mqtt-version": o.version}[name]
		if mine != theirs {
			switch name {
			case "format":
				o.format = mine
			case "server":
				o.server = mine
			case "output":
				o.output = mine
			case "mqtt-version":
				o.version = mine
			}
		}
	}
	p.version, p.given = o.version, f.Changed
	return buildPacket(p, f.Arg(0))
}

// applyProperties sets --property NAME=VALUE on an MQTT 5 packet.
func (o *encodeOptions) applyProperties(p *decode.Packet, v decode.Version, kind string) error {
	if len(o.props) == 0 {
		return nil
	}
	if v != decode.V5 {
		return usageErr(fmt.Errorf("encode %s: --property needs --mqtt-version 5 (MQTT 3.1.1 has no properties)", kind))
	}
	byName := map[string]decode.PropertyID{}
	var names []string
	for _, id := range decode.PropertyIDs() {
		byName[id.Name()] = id
		names = append(names, id.Name())
	}
	byName["user_property"] = decode.PropUserProperty
	for _, kv := range o.props {
		name, value, ok := strings.Cut(kv, "=")
		id, known := byName[name]
		if !ok || !known {
			return usageErr(fmt.Errorf("encode %s: --property %q: expected NAME=VALUE with NAME one of %s", kind, kv, strings.Join(names, ", ")))
		}
		pr := decode.Property{ID: id}
		switch id.Type() {
		case decode.PropUTF8:
			pr.Data = []byte(value)
		case decode.PropUTF8Pair:
			k, val, ok := strings.Cut(value, "=")
			if !ok {
				return usageErr(fmt.Errorf("encode %s: --property %q: a user property is user_property=KEY=VALUE", kind, kv))
			}
			pr.Data, pr.Data2 = []byte(k), []byte(val)
		case decode.PropBinary:
			b, err := hex.DecodeString(value)
			if err != nil {
				return usageErr(fmt.Errorf("encode %s: --property %s: binary data is given as hex", kind, name))
			}
			pr.Data = b
		default:
			n, err := strconv.ParseUint(value, 10, 32)
			if err != nil {
				return usageErr(fmt.Errorf("encode %s: --property %s: %q is not a number", kind, name, value))
			}
			pr.Uint = uint32(n)
		}
		p.Properties.Present = true
		p.Properties.List = append(p.Properties.List, pr)
	}
	return nil
}

// platformWarnings says, on stderr, what OneNET would refuse in a packet
// built by hand (onenet.md §4.2, §3.2).
func (o *encodeOptions) platformWarnings(pkt export.Packet) {
	ios := o.g.ios
	p := pkt.Packet
	warn := func(msg string) {
		fmt.Fprintf(ios.ErrOut, "mqttpcap: warning: encode %s: %s\n", strings.ToLower(p.Type.String()), msg)
	}
	switch p.Type {
	case decode.CONNECT:
		if et, ok := expiredToken(p, o.now()); ok {
			warn("the OneNET token in --password expired " + et.Format("2006-01-02 15:04:05 UTC") + ": the platform refuses the login; --onenet-key KEY generates a fresh one")
		}
		if p.WillFlag {
			warn("OneNET refuses a CONNECT with a will (its connect flags must be 0xc2)")
		}
	case decode.PUBLISH:
		if p.QoS == 2 {
			warn("OneNET does not support QoS 2: it closes the connection")
		}
		var c onenet.Conn
		info := c.Packet(p, true, 1, o.now())
		if info == nil {
			return
		}
		for _, f := range info.Findings {
			warn(f.Message)
		}
		if info.Message != nil {
			for _, f := range info.Message.Findings {
				warn(f.Message)
			}
		}
	}
}

// write writes the packets in the chosen format.
func (o *encodeOptions) write(pkts []export.Packet) error {
	host, port, err := parseServer("--server", o.server)
	if err != nil {
		return err
	}
	if port == 0 {
		port = 1883
	}
	for i := range pkts {
		pkts[i].Frame = 0
		pkts[i].ServerName = hostPort(host, port)
	}
	ex := &exportOptions{format: o.format, server: hostPort(host, port), output: o.output, now: o.now}
	if err := ex.validate(); err != nil {
		return err
	}
	if o.format == "bin" && o.output == "" {
		return usageErr(errors.New("encode: --format bin writes a file per packet: give the directory with -o DIR"))
	}
	return ex.write(o.g.ios, "mqttpcap encode", pkts, &keyOptions{})
}
