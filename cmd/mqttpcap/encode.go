package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/onenet"
)

// encodeOptions build one packet from flags, for users who have no capture
// yet.
type encodeOptions struct {
	g      *globalOptions
	given  flagSet
	format string
	server string
	// CONNECT
	clientID, username, password string
	onenetKey, method, ttl       string
	keepAlive                    uint16
	noClean                      bool
	willTopic, willPayload       string
	willQoS                      uint8
	willRetain                   bool
	version                      string
	// PUBLISH, SUBSCRIBE, UNSUBSCRIBE
	topics      []string
	payload     string
	payloadHex  string
	qos         uint8
	retain, dup bool
	id          uint16
	now         func() time.Time
	// props are --property NAME=VALUE (MQTT 5); output is -o.
	props  []string
	output string
	// session holds the packets after the first, one argument list each
	// (between "--").
	session [][]string
}

func newEncodeCmd(g *globalOptions) *cobra.Command {
	o := &encodeOptions{g: g, now: time.Now}
	cmd := &cobra.Command{
		Use:   "encode connect|publish|subscribe|unsubscribe|disconnect|pingreq [flags]",
		Short: "Build an MQTT packet from flags, in any export format",
		Long: `Build an MQTT control packet from flags and print it as an ESP8266 AT
script (at, at-plain), hex (hex, hex-spaced), raw bytes (bin), a C array
(c) or an encoder fixture (fixture, go) — for when there is no capture yet.
With --onenet-key the CONNECT password is a fresh OneNET token for product =
--username and device = --client-id.

A whole session is several packets separated by "--", each with its own
flags, in one script:

  mqttpcap encode connect --client-id my_tv --username VRqhDHF2wL --onenet-key "$KEY" \
      -- subscribe --topic '$sys/VRqhDHF2wL/my_tv/thing/property/set' \
      -- publish --topic '$sys/VRqhDHF2wL/my_tv/thing/property/post' --payload '{"id":"1","params":{"t":{"value":1}}}' \
      -- disconnect --format at-plain

The output flags (--format, --server, -o, --mqtt-version) may be given with
any packet. MQTT 5 properties are --property NAME=VALUE. What OneNET would
refuse is warned about on stderr: an expired token, a will, QoS 2, OneJSON
params without the {"value": ...} wrapper, a request without an id.`,
		Example: `  mqttpcap encode connect --client-id my_tv --username VRqhDHF2wL --onenet-key "$KEY" --ttl 365d --format at --server studio-mqtt.heclouds.com:1883
  mqttpcap encode publish --topic '$sys/VRqhDHF2wL/my_tv/thing/property/post' --payload '{"id":"1","params":{"wendu":{"value":21.1}}}'
  mqttpcap encode subscribe --topic '$sys/VRqhDHF2wL/my_tv/thing/property/set' --id 1 --format c
  mqttpcap encode disconnect`,
		ValidArgs: []string{"connect", "publish", "subscribe", "unsubscribe", "disconnect", "pingreq"},
		Args: func(cmd *cobra.Command, args []string) error {
			if n := cmd.ArgsLenAtDash(); n >= 0 {
				args = args[:n]
			}
			if len(args) != 1 {
				return usageErr(errors.New("encode: expected a packet type: connect, publish, subscribe, unsubscribe, disconnect or pingreq"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.given = cmd.Flags().Changed
			if n := cmd.ArgsLenAtDash(); n >= 0 {
				o.session = splitSession(args[n:])
				args = args[:n]
			}
			return runEncode(o, args[0])
		},
	}
	o.addFlags(cmd.Flags())
	return cmd
}

// addFlags adds encode's flags (to the command, and to each packet of a
// session after "--").
func (o *encodeOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.format, "format", "hex", "output: "+strings.Join(exportFormats, ", "))
	f.StringVar(&o.server, "server", "studio-mqtt.heclouds.com:1883", "server for the AT script's AT+CIPSTART, HOST[:PORT] (port 1883 when not given)")
	f.StringVar(&o.clientID, "client-id", "", "CONNECT: client id (OneNET: the device name)")
	f.StringVar(&o.username, "username", "", "CONNECT: username (OneNET: the product id)")
	f.StringVar(&o.password, "password", "", "CONNECT: password")
	f.StringVar(&o.onenetKey, "onenet-key", "", "CONNECT: generate the password as a OneNET token signed with this access key")
	f.StringVar(&o.method, "method", onenet.DefaultMethod, "CONNECT: token signature method")
	f.StringVar(&o.ttl, "ttl", "365d", "CONNECT: token validity")
	f.Uint16Var(&o.keepAlive, "keep-alive", 60, "CONNECT: keep alive, seconds")
	f.BoolVar(&o.noClean, "no-clean", false, "CONNECT: clean session 0")
	f.StringVar(&o.willTopic, "will-topic", "", "CONNECT: will topic (OneNET rejects wills)")
	f.StringVar(&o.willPayload, "will-payload", "", "CONNECT: will payload")
	f.Uint8Var(&o.willQoS, "will-qos", 0, "CONNECT: will QoS")
	f.BoolVar(&o.willRetain, "will-retain", false, "CONNECT: will retain")
	f.StringVar(&o.version, "mqtt-version", "3.1.1", "protocol version: 3.1, 3.1.1 or 5")
	f.StringArrayVar(&o.topics, "topic", nil, "PUBLISH: topic; SUBSCRIBE/UNSUBSCRIBE: topic filter (repeat for several)")
	f.StringVar(&o.payload, "payload", "", "PUBLISH: payload text")
	f.StringVar(&o.payloadHex, "payload-hex", "", "PUBLISH: payload as hex")
	f.Uint8Var(&o.qos, "qos", 0, "PUBLISH: QoS; SUBSCRIBE: requested QoS")
	f.BoolVar(&o.retain, "retain", false, "PUBLISH: retain")
	f.BoolVar(&o.dup, "dup", false, "PUBLISH: DUP")
	f.Uint16Var(&o.id, "id", 1, "packet identifier (QoS > 0 PUBLISH, SUBSCRIBE, UNSUBSCRIBE)")
	f.StringArrayVar(&o.props, "property", nil, "MQTT 5 property NAME=VALUE (names as in --json: content_type, message_expiry_interval, user_property=KEY=VALUE, ...; binary as hex); repeat for several")
	f.StringVarP(&o.output, "output", "o", "", "write to this file (bin: this directory) instead of stdout")
}

// encodeFlags are the flags that apply to one packet type only (the others
// apply to all).
var encodeFlags = map[string][]string{
	"connect":     {"client-id", "username", "password", "onenet-key", "method", "ttl", "keep-alive", "no-clean", "will-topic", "will-payload", "will-qos", "will-retain"},
	"publish":     {"topic", "payload", "payload-hex", "qos", "retain", "dup", "id"},
	"subscribe":   {"topic", "qos", "id"},
	"unsubscribe": {"topic", "id"},
}

// checkFlags rejects the flags of another packet type, and --server for a
// format that names no server.
func (o *encodeOptions) checkFlags(kind string) error {
	applies := map[string]bool{}
	for _, f := range encodeFlags[kind] {
		applies[f] = true
	}
	for k, flags := range encodeFlags {
		for _, f := range flags {
			if applies[f] || k == kind {
				continue
			}
			if err := o.given.unusedFlag("does nothing for a "+strings.ToUpper(kind)+": it applies to "+encodeUsers(f), nil, f); err != nil {
				return err
			}
		}
	}
	if !namesServer(o.format) {
		if err := o.given.unusedFlag("only applies to --format at and at-plain (the AT+CIPSTART line)", nil, "server"); err != nil {
			return err
		}
	}
	if o.onenetKey == "" {
		return o.given.unusedFlag("only applies with --onenet-key (the generated token's)", nil, "method", "ttl")
	}
	return nil
}

// encodeUsers names the packet types a flag applies to.
func encodeUsers(flag string) string {
	var users []string
	for _, k := range []string{"connect", "publish", "subscribe", "unsubscribe"} {
		if slices.Contains(encodeFlags[k], flag) {
			users = append(users, strings.ToUpper(k))
		}
	}
	return strings.Join(users, ", ")
}

// runEncode builds the packet (or, with "--" between them, the session)
// and writes it.
func runEncode(o *encodeOptions, kind string) error {
	pkt, err := buildPacket(o, kind)
	if err != nil {
		return err
	}
	pkts := []export.Packet{pkt}
	for i, seg := range o.session {
		next, err := o.sessionPacket(seg, i+2)
		if err != nil {
			return err
		}
		pkts = append(pkts, next)
	}
	return o.write(pkts)
}

func buildPacket(o *encodeOptions, kind string) (export.Packet, error) {
	if _, ok := encodeFlags[kind]; ok || kind == "disconnect" || kind == "pingreq" {
		if err := o.checkFlags(kind); err != nil {
			return export.Packet{}, err
		}
	}
	pkt, err := buildOne(o, kind)
	if err != nil {
		return pkt, err
	}
	o.platformWarnings(pkt)
	return pkt, nil
}

func buildOne(o *encodeOptions, kind string) (export.Packet, error) {
	v, ok := decode.ParseVersion(o.version)
	if !ok {
		return export.Packet{}, usageErr(fmt.Errorf("encode: --mqtt-version: %q is not 3.1, 3.1.1 or 5", o.version))
	}
	p := &decode.Packet{Version: v}
	switch kind {
	case "connect":
		if err := o.connect(p, v); err != nil {
			return export.Packet{}, err
		}
	case "publish":
		if len(o.topics) != 1 {
			return export.Packet{}, usageErr(errors.New("encode publish: give one --topic"))
		}
		if o.qos > 2 {
			return export.Packet{}, usageErr(errors.New("encode publish: --qos must be 0, 1 or 2"))
		}
		p.Type, p.Topic, p.QoS, p.Retain, p.DUP, p.PacketID = decode.PUBLISH, []byte(o.topics[0]), o.qos, o.retain, o.dup, o.id
		p.Payload = []byte(o.payload)
		if o.payloadHex != "" {
			b, err := hex.DecodeString(o.payloadHex)
			if err != nil {
				return export.Packet{}, usageErr(errors.New("encode publish: --payload-hex is not hex"))
			}
			p.Payload = b
		}
		p.SetPublishFlags()
		p.Properties.Present = v == decode.V5
	case "subscribe", "unsubscribe":
		if len(o.topics) == 0 {
			return export.Packet{}, usageErr(fmt.Errorf("encode %s: give at least one --topic", kind))
		}
		p.Type, p.Flags, p.PacketID = decode.SUBSCRIBE, 0x02, o.id
		if kind == "unsubscribe" {
			p.Type = decode.UNSUBSCRIBE
		}
		for _, t := range o.topics {
			if kind == "subscribe" {
				p.Subscriptions = append(p.Subscriptions, decode.Subscription{Topic: []byte(t), Options: o.qos & 3})
			} else {
				p.TopicFilters = append(p.TopicFilters, []byte(t))
			}
		}
		p.Properties.Present = v == decode.V5
	case "disconnect":
		p.Type = decode.DISCONNECT
	case "pingreq":
		p.Type = decode.PINGREQ
	default:
		return export.Packet{}, usageErr(fmt.Errorf("encode: %q is not a packet type mqttpcap builds (connect, publish, subscribe, unsubscribe, disconnect, pingreq)", kind))
	}
	if err := o.applyProperties(p, v, kind); err != nil {
		return export.Packet{}, err
	}
	raw, err := decode.Encode(p)
	if err != nil {
		return export.Packet{}, withCode(exitError, fmt.Errorf("encode: %w", err))
	}
	var d decode.Decoder
	pkt := export.Packet{FromClient: true, Packet: d.Decode(raw, v).Clone()}
	for _, pr := range pkt.Packet.Problems {
		return export.Packet{}, usageErr(fmt.Errorf("encode %s: the packet would be malformed: 0x%02x %s: %s", kind, pr.Off, pr.Field, pr.Message))
	}
	return pkt, nil
}

func (o *encodeOptions) connect(p *decode.Packet, v decode.Version) error {
	p.Type = decode.CONNECT
	p.ProtocolName, p.ProtocolLevel = []byte("MQTT"), uint8(v)
	if v == decode.V31 {
		p.ProtocolName = []byte("MQIsdp")
	}
	p.KeepAlive, p.CleanSession, p.ClientID = o.keepAlive, !o.noClean, []byte(o.clientID)
	if o.username != "" {
		p.UsernameFlag, p.Username = true, []byte(o.username)
	}
	password := o.password
	if o.onenetKey != "" {
		if o.username == "" || o.clientID == "" {
			return usageErr(errors.New("encode connect: --onenet-key needs --username (the product id) and --client-id (the device name)"))
		}
		if err := checkKey(o.onenetKey); err != nil {
			return usageErr(fmt.Errorf("encode connect: --onenet-key: %w", err))
		}
		d, err := parseTTL(o.ttl)
		if err != nil {
			return usageErr(fmt.Errorf("encode connect: --ttl: %w", err))
		}
		password, err = onenet.Generate(onenet.GenerateOptions{ProductID: o.username, DeviceName: o.clientID,
			KeyBase64: o.onenetKey, Method: o.method, ExpiresAt: o.now().Add(d)})
		if err != nil {
			return usageErr(fmt.Errorf("encode connect: %w", err))
		}
	}
	if password != "" {
		p.PasswordFlag, p.Password = true, []byte(password)
	}
	if o.willTopic != "" {
		p.WillFlag, p.WillTopic, p.WillPayload, p.WillQoS, p.WillRetain = true, []byte(o.willTopic), []byte(o.willPayload), o.willQoS, o.willRetain
		p.WillProperties.Present = v == decode.V5
	}
	p.Properties.Present = v == decode.V5
	p.SetConnectFlags()
	return nil
}
