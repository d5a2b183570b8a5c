package filter

import (
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// Accessors read one field of a record. They never allocate (but for the
// text of src and dst): strings and byte slices are handed out as they are
// in the record, which is valid for the duration of Match.

// single adapts a one-valued accessor to the indexed form.
func single(get func(r *pipeline.Record) (int64, bool)) func(*pipeline.Record, int) (int64, bool) {
	return func(r *pipeline.Record, i int) (int64, bool) {
		if i > 0 {
			return 0, false
		}
		return get(r)
	}
}

func singleText(get func(r *pipeline.Record) (text, bool)) func(*pipeline.Record, int) (text, bool) {
	return func(r *pipeline.Record, i int) (text, bool) {
		if i > 0 {
			return text{}, false
		}
		return get(r)
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// packet is the record's packet, or nil for other records.
func packet(r *pipeline.Record) *decode.Packet {
	if r.Kind != pipeline.KindPacket {
		return nil
	}
	return r.Packet
}

// directed says whether the record has a direction: a packet or an event
// of a connection (a connection's end has none).
func directed(r *pipeline.Record) bool {
	return r.Conn != nil && (r.Kind == pipeline.KindPacket || r.Kind == pipeline.KindEvent)
}

// The record.

func recordKind(r *pipeline.Record) (text, bool) {
	switch r.Kind {
	case pipeline.KindPacket:
		return str("mqtt"), true
	case pipeline.KindEvent:
		return str("event"), true
	case pipeline.KindConnDone:
		return str("connection"), true
	}
	return text{}, false
}

func eventType(r *pipeline.Record) (text, bool) {
	return str(r.Event.Type), r.Kind == pipeline.KindEvent && r.Event.Type != ""
}

func eventMessage(r *pipeline.Record) (text, bool) {
	return str(r.Event.Message), r.Kind == pipeline.KindEvent && r.Event.Message != ""
}

func eventCode(r *pipeline.Record) (text, bool) {
	return str(r.Event.Code), r.Kind == pipeline.KindEvent && r.Event.Code != ""
}

// transportLayers is what carries a record's connection: "tcp", "tls",
// "websocket", or for WebSocket over TLS "wss", "websocket" and "tls" (so
// that transport == "websocket" selects both kinds of WebSocket).
func transportLayers(r *pipeline.Record, i int) (text, bool) {
	if r.Info == nil || r.Conn == nil {
		return text{}, false
	}
	layers := [3]string{"tcp"}
	switch {
	case r.Info.Transport == "wss":
		layers = [3]string{"wss", "websocket", "tls"}
	case r.Info.Transport != "":
		layers[0] = r.Info.Transport
	case r.Info.TLS:
		layers[0] = "tls"
	}
	if i >= len(layers) || layers[i] == "" {
		return text{}, false
	}
	return str(layers[i]), true
}

func eventBytes(r *pipeline.Record) (int64, bool) {
	return r.Event.Bytes, r.Kind == pipeline.KindEvent && r.Event.Bytes > 0
}

// eventTypes are the values of event.type, to tell `type == gap` (an
// event) from a misspelt packet type.
var eventTypes = []string{"gap", "tls", "not_mqtt", "incomplete", "cap", "fin", "rst", "snaplen", "link_type", "cut_short", "damaged", "internal_error"}

// frame is a connection's last frame on its end record, as the JSON's
// "frame".
func frame(r *pipeline.Record) (int64, bool) {
	switch {
	case r.Kind == pipeline.KindConnDone && r.Final != nil:
		return int64(r.Final.LastFrame), true
	case r.Kind == pipeline.KindPacket || r.Kind == pipeline.KindEvent:
		return int64(r.Frame), r.Frame > 0
	}
	return 0, false
}

// relTime is the list's time column in microseconds: since the first frame.
func relTime(r *pipeline.Record) (int64, bool) {
	if r.Time.IsZero() {
		return 0, false
	}
	return r.Rel.Microseconds(), true
}

// epoch is the capture time in microseconds since the Unix epoch.
func epoch(r *pipeline.Record) (int64, bool) {
	if r.Time.IsZero() {
		return 0, false
	}
	return r.Time.UnixMicro(), true
}

// relSeconds reads seconds with up to 6 decimals ("1.5", "0.000220") as
// microseconds.
func relSeconds(s string) (int64, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && dot {
		whole = "0"
	}
	n, ok := parseInt(whole)
	if !ok || strings.HasPrefix(whole, "0x") || strings.HasPrefix(whole, "0X") || n > math.MaxInt64/1_000_000 || n < math.MinInt64/1_000_000 {
		return 0, false
	}
	if !dot {
		return n * 1e6, true
	}
	if frac == "" || len(frac) > 6 || strings.Trim(frac, "0123456789") != "" {
		return 0, false
	}
	f, _ := parseInt(frac + strings.Repeat("0", 6-len(frac)))
	if strings.HasPrefix(whole, "-") {
		return n*1e6 - f, true
	}
	return n*1e6 + f, true
}

// epochTime reads Unix seconds (decimals allowed) or a UTC time, as
// microseconds since the epoch.
func epochTime(s string) (int64, bool) {
	if us, ok := relSeconds(s); ok {
		return us, true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMicro(), true
		}
	}
	return 0, false
}

// keepAlive is the CONNECT's, or its connection's.
func keepAlive(r *pipeline.Record) (int64, bool) {
	if p := packet(r); p != nil && p.Type == decode.CONNECT {
		return int64(p.KeepAlive), p.Has&decode.HasKeepAlive != 0
	}
	if r.Info == nil || !r.Info.HasConnect {
		return 0, false
	}
	return int64(r.Info.KeepAlive), true
}

func streamIndex(r *pipeline.Record) (int64, bool) {
	if r.Conn == nil {
		return 0, false
	}
	return int64(r.Conn.Stream), true
}

func from(r *pipeline.Record) (text, bool) {
	if !directed(r) {
		return text{}, false
	}
	if r.FromClient {
		return str("client"), true
	}
	return str("server"), true
}

func src(r *pipeline.Record) (netip.AddrPort, bool) {
	if !directed(r) {
		return netip.AddrPort{}, false
	}
	if r.FromClient {
		return r.Conn.Client, true
	}
	return r.Conn.Server, true
}

func dst(r *pipeline.Record) (netip.AddrPort, bool) {
	if !directed(r) {
		return netip.AddrPort{}, false
	}
	if r.FromClient {
		return r.Conn.Server, true
	}
	return r.Conn.Client, true
}

// client and server are the connection's, on every record of it.
func client(r *pipeline.Record) (netip.AddrPort, bool) {
	if r.Conn == nil {
		return netip.AddrPort{}, false
	}
	return r.Conn.Client, true
}

func server(r *pipeline.Record) (netip.AddrPort, bool) {
	if r.Conn == nil {
		return netip.AddrPort{}, false
	}
	return r.Conn.Server, true
}

// endpoints are a record's two ends: sender and receiver, or for a
// connection's end its client and server.
func endpoints(r *pipeline.Record, i int) (netip.AddrPort, bool) {
	if r.Conn == nil || i > 1 {
		return netip.AddrPort{}, false
	}
	if i == 0 {
		return r.Conn.Client, true
	}
	return r.Conn.Server, true
}

func ports(r *pipeline.Record, i int) (int64, bool) {
	ap, ok := endpoints(r, i)
	return int64(ap.Port()), ok && ap.IsValid()
}

// singleAddr adapts a one-valued address accessor to the indexed form.
func singleAddr(get func(r *pipeline.Record) (netip.AddrPort, bool)) func(*pipeline.Record, int) (netip.AddrPort, bool) {
	return func(r *pipeline.Record, i int) (netip.AddrPort, bool) {
		if i > 0 {
			return netip.AddrPort{}, false
		}
		return get(r)
	}
}

// addrText formats an endpoint for contains and matches (the one accessor
// that allocates: == and != compare netip values instead).
func addrText(get func(r *pipeline.Record) (netip.AddrPort, bool)) func(r *pipeline.Record, i int) (text, bool) {
	return addrTextN(singleAddr(get))
}

func addrTextN(get func(r *pipeline.Record, i int) (netip.AddrPort, bool)) func(r *pipeline.Record, i int) (text, bool) {
	return func(r *pipeline.Record, i int) (text, bool) {
		ap, ok := get(r, i)
		if !ok || !ap.IsValid() {
			return text{}, false
		}
		return str(ap.String()), true
	}
}

func port(get func(r *pipeline.Record) (netip.AddrPort, bool)) func(r *pipeline.Record) (int64, bool) {
	return func(r *pipeline.Record) (int64, bool) {
		ap, ok := get(r)
		return int64(ap.Port()), ok && ap.IsValid()
	}
}

// The MQTT packet.

func packetTypeNum(r *pipeline.Record) (int64, bool) {
	p := packet(r)
	if p == nil {
		return 0, false
	}
	return int64(p.Type), true
}

func packetTypeName(r *pipeline.Record) (text, bool) {
	p := packet(r)
	if p == nil {
		return text{}, false
	}
	return str(p.Type.String()), true
}

func version(r *pipeline.Record) (int64, bool) {
	p := packet(r)
	if p == nil || p.Version == decode.VersionUnknown {
		return 0, false
	}
	return int64(p.Version), true
}

func length(r *pipeline.Record) (int64, bool) {
	p := packet(r)
	if p == nil {
		return 0, false
	}
	return int64(len(p.Raw)), true
}

func remainingLength(r *pipeline.Record) (int64, bool) {
	p := packet(r)
	if p == nil {
		return 0, false
	}
	return int64(p.RemainingLength), true
}

// publish is the record's packet when it is a PUBLISH.
func publish(r *pipeline.Record) *decode.Packet {
	if p := packet(r); p != nil && p.Type == decode.PUBLISH {
		return p
	}
	return nil
}

func qos(r *pipeline.Record, i int) (int64, bool) {
	p := packet(r)
	switch {
	case p == nil:
	case p.Type == decode.PUBLISH && i == 0:
		return int64(p.QoS), true
	case p.Type == decode.SUBSCRIBE && i < len(p.Subscriptions):
		return int64(p.Subscriptions[i].QoS), true
	}
	return 0, false
}

func retain(r *pipeline.Record) (int64, bool) {
	p := publish(r)
	return b2i(p != nil && p.Retain), p != nil
}

func dup(r *pipeline.Record) (int64, bool) {
	p := publish(r)
	return b2i(p != nil && p.DUP), p != nil
}

func packetID(r *pipeline.Record) (int64, bool) {
	p := packet(r)
	if p == nil || !p.HasPacketID {
		return 0, false
	}
	return int64(p.PacketID), true
}

func topic(r *pipeline.Record, i int) (text, bool) {
	p := packet(r)
	switch {
	case p == nil:
	case p.Type == decode.PUBLISH && i == 0 && p.Has&decode.HasTopic != 0:
		return bin(p.TopicName()), true
	case p.Type == decode.SUBSCRIBE && i < len(p.Subscriptions):
		return bin(p.Subscriptions[i].Topic), true
	case p.Type == decode.UNSUBSCRIBE && i < len(p.TopicFilters):
		return bin(p.TopicFilters[i]), true
	}
	return text{}, false
}

func payload(r *pipeline.Record) (text, bool) {
	p := publish(r)
	if p == nil || p.Has&decode.HasPayload == 0 {
		return text{}, false
	}
	return bin(p.Payload), true
}

func payloadLength(r *pipeline.Record) (int64, bool) {
	p := publish(r)
	if p == nil || p.Has&decode.HasPayload == 0 {
		return 0, false
	}
	return int64(len(p.Payload)), true
}

// clientID is the CONNECT's own for a CONNECT (a second CONNECT on a
// connection may carry another), the connection's for every other record.
func clientID(r *pipeline.Record) (text, bool) {
	if p := packet(r); p != nil && p.Type == decode.CONNECT {
		return bin(p.ClientID), p.Has&decode.HasClientID != 0
	}
	if r.Info == nil || !r.Info.HasConnect {
		return text{}, false
	}
	return str(r.Info.ClientID), true
}

// username is like clientID; a connection whose CONNECT had no user name
// has none, as that CONNECT has none.
func username(r *pipeline.Record) (text, bool) {
	if p := packet(r); p != nil && p.Type == decode.CONNECT {
		return bin(p.Username), p.Has&decode.HasUsername != 0
	}
	if r.Info == nil || !r.Info.HasConnect || r.Info.Username == "" {
		return text{}, false
	}
	return str(r.Info.Username), true
}

// reasonCode is the packet's one code, or the i-th of a SUBACK or
// UNSUBACK's list.
func reasonCode(r *pipeline.Record, i int) (int64, bool) {
	p := packet(r)
	switch {
	case p == nil:
	case p.HasReasonCode:
		return int64(p.ReasonCode), i == 0
	case (p.Type == decode.SUBACK || p.Type == decode.UNSUBACK) && i < len(p.ReasonCodes):
		return int64(p.ReasonCodes[i]), true
	}
	return 0, false
}

func reason(r *pipeline.Record, i int) (text, bool) {
	c, ok := reasonCode(r, i)
	if !ok {
		return text{}, false
	}
	p := r.Packet
	return str(decode.ReasonName(p.Type, p.Version, uint8(c))), true
}

func problemCount(r *pipeline.Record) (int64, bool) {
	p := packet(r)
	if p == nil {
		return 0, false
	}
	return int64(len(p.Problems)), true
}

func problem(r *pipeline.Record, i int) (text, bool) {
	p := packet(r)
	if p == nil || i >= len(p.Problems) {
		return text{}, false
	}
	return str(p.Problems[i].Code), true
}
