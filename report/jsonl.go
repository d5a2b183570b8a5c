package report

import (
	"bufio"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// JSONLines writes one JSON object per record (docs/json.md documents the
// schema; it is a public interface: change it only on purpose).
type JSONLines struct {
	w *bufio.Writer
	j jsonBuf
	// addrs caches each connection's client and server as text.
	addrs map[*stream.Conn][2]string
	// FlushEach flushes after every line (live capture).
	FlushEach bool
	// Redact labels the masked secrets (a Redactor masks them): the
	// password is "********", "redacted" lists the masked byte ranges.
	Redact bool
	// Filter, when set, chooses the lines written (-Y): packets, events and
	// connections alike.
	Filter func(*pipeline.Record) bool
	// Files names the capture file of every line (several inputs): "file"
	// and "file_frame" after "frame", and a connection's "first_file" and
	// "first_file_frame" after its "first_frame" (Record.File).
	Files bool
	// direct, in a shard, is the worker's buffer (see NewShard); target,
	// when the buffer offers it, is the buffer itself, which lines are
	// rendered into without a copy.
	direct io.Writer
	target pipeline.OutputTarget
}

func (o *JSONLines) redact(s string) string {
	if o.Redact && s != "" {
		return "********"
	}
	return s
}

// NewJSONLines returns a JSON-lines writer on w.
func NewJSONLines(w io.Writer) *JSONLines {
	return &JSONLines{w: bufio.NewWriterSize(w, 64<<10), addrs: make(map[*stream.Conn][2]string)}
}

// Record implements pipeline.Sink.
func (o *JSONLines) Record(r *pipeline.Record) error {
	if o.Filter != nil && !o.Filter(r) {
		if r.Kind == pipeline.KindConnDone {
			delete(o.addrs, r.Conn)
		}
		return nil
	}
	j := &o.j
	j.b = j.b[:0]
	var out *[]byte
	if o.target != nil {
		out = o.target.Target()
		j.b = *out
	}
	switch r.Kind {
	case pipeline.KindPacket:
		o.packet(r)
	case pipeline.KindEvent:
		o.event(r)
	case pipeline.KindConnDone:
		o.connection(r)
		delete(o.addrs, r.Conn)
	default:
		return nil
	}
	j.b = append(j.b, '\n')
	if out != nil {
		*out, j.b = j.b, nil
		return nil
	}
	return o.write(j.b)
}

// write writes lines: to the worker's buffer in a shard, else through the
// buffered output.
func (o *JSONLines) write(b []byte) error {
	if o.direct != nil {
		_, err := o.direct.Write(b)
		return err
	}
	if _, err := o.w.Write(b); err != nil {
		return err
	}
	if o.FlushEach {
		return o.w.Flush()
	}
	return nil
}

// file writes the file a frame came from and its number there (null for
// no frame).
func (o *JSONLines) file(fileKey, frameKey, file string, frame uint64) {
	j := &o.j
	if file == "" {
		j.null(fileKey)
		j.null(frameKey)
		return
	}
	j.strs(fileKey, file)
	j.uint(frameKey, frame)
}

// Flush writes out buffered lines.
func (o *JSONLines) Flush() error { return o.w.Flush() }

func (o *JSONLines) common(r *pipeline.Record) {
	j := &o.j
	j.uint("frame", r.Frame)
	if o.Files {
		o.file("file", "file_frame", r.File, r.FileFrame)
	}
	j.time("time", r.Time)
	if r.Conn == nil {
		j.null("stream")
		return
	}
	j.int("stream", int64(r.Conn.Stream))
	if r.Conn.Interface != 0 {
		j.int("interface", int64(r.Conn.Interface))
	}
	addr, ok := o.addrs[r.Conn]
	if !ok {
		addr[0], addr[1] = connAddrs(r.Conn, r.Info, "")
		o.addrs[r.Conn] = addr
	}
	src, dst, from := addr[0], addr[1], "client"
	if !r.FromClient {
		src, dst, from = dst, src, "server"
	}
	j.strs("src", src)
	j.strs("dst", dst)
	j.strs("from", from)
}

func (o *JSONLines) event(r *pipeline.Record) {
	j := &o.j
	j.open('{')
	j.strs("kind", "event")
	j.strs("type", r.Event.Type)
	o.common(r)
	if r.Event.Bytes != 0 {
		j.int("bytes", r.Event.Bytes)
	}
	if r.Event.Protocol != "" {
		j.strs("protocol", r.Event.Protocol)
	}
	j.strs("message", r.Event.Message)
	o.transportJSON(&r.Event)
	j.close('}')
}

func (o *JSONLines) packet(r *pipeline.Record) {
	j := &o.j
	p := r.Packet
	j.open('{')
	j.strs("kind", "mqtt")
	o.common(r)
	if r.Info != nil && r.Info.Transport != "" {
		j.strs("transport", r.Info.Transport)
	}
	if p.Version == decode.VersionUnknown {
		j.null("version")
	} else {
		j.uint("version", uint64(p.Version))
	}
	j.bool("version_inferred", p.VersionInferred)
	j.strs("type", p.Type.String())
	j.uint("flags", uint64(p.Flags))
	j.uint("remaining_length", uint64(p.RemainingLength))
	j.uint("length", uint64(len(p.Raw)))
	j.hex("hex", p.Raw)
	if p.Truncated {
		j.bool("truncated", true)
	}
	if o.Redact {
		// The bytes of hex (and of every *_hex) that were secrets are
		// 2a ('*'): say which.
		if spans := SecretSpans(p); len(spans) > 0 {
			j.key("redacted")
			j.open('[')
			for _, s := range spans {
				j.element()
				j.open('{')
				j.int("offset", int64(s.Off))
				j.int("length", int64(s.Len))
				j.close('}')
			}
			j.close(']')
		}
	}
	j.key("fields")
	o.fields(p)
	j.key("problems")
	j.open('[')
	for _, pr := range p.Problems {
		j.element()
		j.open('{')
		j.int("offset", int64(pr.Off))
		j.strs("field", pr.Field)
		j.strs("code", pr.Code)
		j.strs("message", pr.Message)
		j.close('}')
	}
	j.close(']')
	if r.OneNET != nil {
		o.onenetJSON(r.OneNET)
	}
	j.close('}')
}

// connection writes the line that closes a connection: its counts, how it
// ended, and the OneNET verdict.
func (o *JSONLines) connection(r *pipeline.Record) {
	j := &o.j
	c := r.Final
	j.open('{')
	j.strs("kind", "connection")
	j.uint("frame", c.LastFrame)
	if o.Files {
		o.file("file", "file_frame", r.File, r.FileFrame)
	}
	j.time("time", c.LastTime)
	j.int("stream", int64(c.Stream))
	if c.Interface != 0 {
		j.int("interface", int64(c.Interface))
	}
	client, server := connAddrs(c, r.Info, "")
	j.strs("client", client)
	j.strs("server", server)
	j.uint("first_frame", c.FirstFrame)
	if o.Files {
		o.file("first_file", "first_file_frame", r.FirstFile, r.FirstFileFrame)
	}
	j.time("start", c.FirstTime)
	if r.Info != nil {
		if r.Info.Version == decode.VersionUnknown {
			j.null("version")
		} else {
			j.uint("version", uint64(r.Info.Version))
		}
		j.bool("tls", r.Info.TLS)
		if r.Info.Protocol != "" {
			j.strs("protocol", r.Info.Protocol)
		}
		if r.Info.Transport != "" {
			j.strs("transport", r.Info.Transport)
		}
		j.key("packets")
		j.open('{')
		j.int("client", int64(r.Info.Packets[0]))
		j.int("server", int64(r.Info.Packets[1]))
		j.close('}')
		j.strs("end", r.Info.Why)
		if r.Info.HasConnect {
			j.str("client_id", []byte(r.Info.ClientID))
			j.uint("keep_alive", uint64(r.Info.KeepAlive))
			j.int("max_client_silence_ms", r.Info.MaxQuiet.Milliseconds())
			j.bool("keep_alive_exceeded", r.Info.KeepAlive > 0 && r.Info.MaxQuiet > time.Duration(r.Info.KeepAlive)*1500*time.Millisecond)
		}
		if r.Info.HasConnack {
			j.uint("connack_code", uint64(r.Info.ConnackCode))
			j.bool("login_refused", decode.IsFailure(decode.CONNACK, r.Info.Version, r.Info.ConnackCode))
		}
	}
	j.int("duration_ms", c.LastTime.Sub(c.FirstTime).Milliseconds())
	j.key("bytes")
	j.open('{')
	j.int("client", c.Bytes[0])
	j.int("server", c.Bytes[1])
	j.close('}')
	j.key("closed")
	j.open('{')
	j.strs("client", c.End[0])
	j.strs("server", c.End[1])
	j.close('}')
	if r.Verdict.Status != "" {
		o.verdictJSON(r.Verdict)
	}
	j.close('}')
}

// fields writes the typed fields of a packet under their spec names.
func (o *JSONLines) fields(p *decode.Packet) {
	j := &o.j
	j.open('{')
	switch p.Type {
	case decode.CONNECT:
		if p.ProtocolName != nil {
			j.str("protocol_name", p.ProtocolName)
		}
		if p.Has&decode.HasProtocolLevel != 0 {
			j.uint("protocol_level", uint64(p.ProtocolLevel))
		}
		if p.Has&decode.HasConnectFlags != 0 {
			j.uint("connect_flags", uint64(p.ConnectFlags))
			j.bool("username_flag", p.UsernameFlag)
			j.bool("password_flag", p.PasswordFlag)
			j.bool("will_retain", p.WillRetain)
			j.uint("will_qos", uint64(p.WillQoS))
			j.bool("will_flag", p.WillFlag)
			j.bool("clean_session", p.CleanSession)
		}
		if p.Has&decode.HasKeepAlive != 0 {
			j.uint("keep_alive", uint64(p.KeepAlive))
		}
		o.properties("properties", &p.Properties)
		if p.Has&decode.HasClientID != 0 {
			j.str("client_id", p.ClientID)
		}
		o.properties("will_properties", &p.WillProperties)
		if p.Has&decode.HasWillTopic != 0 {
			j.str("will_topic", p.WillTopic)
		}
		if p.Has&decode.HasWillPayload != 0 {
			o.binary("will_payload", p.WillPayload)
		}
		if p.Has&decode.HasUsername != 0 {
			j.str("username", p.Username)
		}
		if p.Has&decode.HasPassword != 0 {
			if o.Redact {
				o.j.strs("password", "********")
			} else {
				o.binary("password", p.Password)
			}
		}
	case decode.CONNACK:
		if p.Has&decode.HasAckFlags != 0 {
			j.uint("acknowledge_flags", uint64(p.AckFlags))
			j.bool("session_present", p.SessionPresent)
		}
		o.reason(p)
		o.properties("properties", &p.Properties)
	case decode.PUBLISH:
		j.bool("dup", p.DUP)
		j.uint("qos", uint64(p.QoS))
		j.bool("retain", p.Retain)
		if p.Has&decode.HasTopic != 0 {
			j.str("topic", p.Topic)
		}
		if p.AliasTopic != nil {
			j.str("alias_topic", p.AliasTopic)
		}
		o.packetID(p)
		o.properties("properties", &p.Properties)
		if p.Has&decode.HasPayload != 0 {
			j.uint("payload_length", uint64(len(p.Payload)))
			o.binary("payload", p.Payload)
		}
	case decode.PUBACK, decode.PUBREC, decode.PUBREL, decode.PUBCOMP, decode.DISCONNECT, decode.AUTH:
		o.packetID(p)
		o.reason(p)
		o.properties("properties", &p.Properties)
	case decode.SUBSCRIBE:
		o.packetID(p)
		o.properties("properties", &p.Properties)
		j.key("subscriptions")
		j.open('[')
		for _, s := range p.Subscriptions {
			j.element()
			j.open('{')
			j.str("topic", s.Topic)
			j.uint("qos", uint64(s.QoS))
			if p.Version == decode.V5 {
				j.bool("no_local", s.NoLocal)
				j.bool("retain_as_published", s.RetainAsPub)
				j.uint("retain_handling", uint64(s.RetainHandling))
			}
			j.uint("options", uint64(s.Options))
			j.close('}')
		}
		j.close(']')
	case decode.SUBACK, decode.UNSUBACK:
		o.packetID(p)
		o.properties("properties", &p.Properties)
		if p.Type == decode.SUBACK || p.Version == decode.V5 {
			j.key("reason_codes")
			j.open('[')
			for _, c := range p.ReasonCodes {
				j.element()
				j.b = appendUint(j.b, uint64(c))
			}
			j.close(']')
			j.key("reasons")
			j.open('[')
			for _, c := range p.ReasonCodes {
				j.element()
				j.b = appendJSONString(j.b, []byte(decode.ReasonName(p.Type, p.Version, c)))
			}
			j.close(']')
		}
	case decode.UNSUBSCRIBE:
		o.packetID(p)
		o.properties("properties", &p.Properties)
		j.key("topics")
		j.open('[')
		for _, t := range p.TopicFilters {
			j.element()
			j.b = appendJSONString(j.b, t)
		}
		j.close(']')
	default:
		if p.Has&decode.HasBody != 0 {
			j.hex("body_hex", p.Raw[p.HeaderLen:])
		}
	}
	j.close('}')
}

func (o *JSONLines) packetID(p *decode.Packet) {
	if p.HasPacketID {
		o.j.uint("packet_id", uint64(p.PacketID))
	}
}

func (o *JSONLines) reason(p *decode.Packet) {
	if !p.HasReasonCode {
		return
	}
	name := "reason_code"
	if p.Version != decode.V5 && p.Type == decode.CONNACK {
		name = "return_code"
	}
	o.j.uint(name, uint64(p.ReasonCode))
	o.j.strs("reason", p.ReasonName())
}

// binary writes bytes as name_hex, and as name (text) when valid UTF-8.
func (o *JSONLines) binary(name string, v []byte) {
	if utf8.Valid(v) {
		o.j.str(name, v)
	}
	o.j.hex(name+"_hex", v)
}

func (o *JSONLines) properties(name string, ps *decode.Properties) {
	if !ps.Present {
		return
	}
	j := &o.j
	j.key(name)
	j.open('{')
	var users, subIDs bool
	var done [256]bool
	for _, pr := range ps.List {
		switch pr.ID {
		case decode.PropUserProperty:
			users = true
			continue
		case decode.PropSubscriptionIdentifier:
			subIDs = true
			continue
		}
		if done[pr.ID] {
			continue // a duplicate (a protocol error, reported as a problem): the first one is shown
		}
		done[pr.ID] = true
		switch pr.ID.Type() {
		case decode.PropUTF8:
			j.str(pr.Name(), pr.Data)
		case decode.PropBinary:
			j.hex(pr.Name(), pr.Data)
		default:
			j.uint(pr.Name(), uint64(pr.Uint))
		}
	}
	if users {
		j.key("user_properties")
		j.open('[')
		for _, pr := range ps.List {
			if pr.ID == decode.PropUserProperty {
				j.element()
				j.open('[')
				j.element()
				j.b = appendJSONString(j.b, pr.Data)
				j.element()
				j.b = appendJSONString(j.b, pr.Data2)
				j.close(']')
			}
		}
		j.close(']')
	}
	if subIDs {
		j.key("subscription_identifiers")
		j.open('[')
		for _, pr := range ps.List {
			if pr.ID == decode.PropSubscriptionIdentifier {
				j.element()
				j.b = appendUint(j.b, uint64(pr.Uint))
			}
		}
		j.close(']')
	}
	j.close('}')
}

func appendUint(b []byte, v uint64) []byte { return strconv.AppendUint(b, v, 10) }

// AppendFieldsJSON appends a packet's "fields" object, as in the JSON-lines
// output (docs/json.md): fixtures reuse it.
func AppendFieldsJSON(b []byte, p *decode.Packet) []byte {
	var o JSONLines
	o.j.b = b
	o.fields(p)
	return o.j.b
}
