package report

import (
	"bytes"
	"reflect"
	"strings"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// Redaction (--redact) hides the secrets of a capture so that the output can
// be pasted into an issue or a chat: passwords (and with them OneNET token
// signatures), MQTT 5.0 authentication data, and the access keys given to
// mqttpcap. It is done once, before any view sees a record, by Redactor:
// the secret bytes of a packet are replaced by '*' (0x2a) in a copy of the
// packet, so every view — list, field tree, hexdump, JSON with its "hex"
// — shows the copy and cannot leak what it never holds. The views only add
// labels ("redacted"). What OneNET and the decoder say about a secret
// (a token finding quoting its sign, a verdict repeating the finding) is
// scrubbed of the secret's text.

// Mask replaces each scrubbed secret in messages.
const Mask = "********"

// minScrub is the shortest secret text scrubbed from messages: shorter ones
// ("a") would destroy the words around them, and no message quotes them
// (the bytes themselves are masked whatever their length).
const minScrub = 4

// SecretSpans are the byte ranges of p's secrets: the password (or, in a
// CONNECT cut short inside its password, every byte after the last field
// decoded), and MQTT 5.0 authentication data (with the undecoded rest of a
// property block that may hold it).
func SecretSpans(p *decode.Packet) []decode.Span {
	var spans []decode.Span
	add := func(b []byte) {
		if off, ok := sliceOffset(b, p.Raw); ok {
			spans = append(spans, decode.Span{Off: off, Len: len(b)})
		}
	}
	if p.Type == decode.CONNECT && p.PasswordFlag {
		if p.Has&decode.HasPassword != 0 {
			add(p.Password)
		} else if start := connectDecodedEnd(p); start < len(p.Raw) {
			// The password was not decoded (cut short, or after a
			// mistake): every byte after what was decoded may be it.
			spans = append(spans, decode.Span{Off: start, Len: len(p.Raw) - start})
		}
	}
	if p.Type == decode.CONNECT || p.Type == decode.CONNACK || p.Type == decode.AUTH {
		for _, pr := range p.Properties.List {
			if pr.ID == decode.PropAuthenticationData {
				add(pr.Data)
			}
		}
		add(p.Properties.Rest)
	}
	return spans
}

// connectDecodedEnd is where the decoded part of a CONNECT's payload ends:
// after its client id, will, user name, whichever was decoded last.
func connectDecodedEnd(p *decode.Packet) int {
	end := p.PayloadOff
	if end == 0 {
		end = p.HeaderLen
	}
	for _, b := range [][]byte{p.ClientID, p.WillTopic, p.WillPayload, p.Username} {
		if off, ok := sliceOffset(b, p.Raw); ok {
			end = max(end, off+len(b))
		}
	}
	return min(end, len(p.Raw))
}

// sliceOffset is where b, a non-empty sub-slice of raw, starts in raw
// (decoded values alias the packet's bytes; a Clone's are capped, so the
// offset is found by address, not by capacity).
func sliceOffset(b, raw []byte) (int, bool) {
	if len(b) == 0 || len(raw) == 0 {
		return 0, false
	}
	start, at := reflect.ValueOf(raw).Pointer(), reflect.ValueOf(b).Pointer()
	if at < start || at-start > uintptr(len(raw)-len(b)) {
		return 0, false
	}
	return int(at - start), true
}

// inSpans says whether byte i is in one of spans.
func inSpans(spans []decode.Span, i int) bool {
	for _, s := range spans {
		if i >= s.Off && i < s.Off+s.Len {
			return true
		}
	}
	return false
}

// Redactor is a pipeline.Sink that hands Next each record with its secrets
// masked (see the top of this file). It keeps the secrets of each open
// connection, to scrub them from the connection's later messages and its
// OneNET verdict, and forgets them when the connection ends.
type Redactor struct {
	Next pipeline.Sink
	// Keys are the access keys mqttpcap was given (--key, --key-file):
	// scrubbed from every message although the traffic does not carry
	// them.
	Keys    []string
	secrets map[*stream.Conn][]string
	rec     pipeline.Record
}

// Record implements pipeline.Sink.
func (x *Redactor) Record(r *pipeline.Record) error {
	if x.secrets == nil {
		x.secrets = make(map[*stream.Conn][]string)
	}
	x.rec = *r
	rec := &x.rec
	switch r.Kind {
	case pipeline.KindPacket:
		spans := SecretSpans(r.Packet)
		if len(spans) > 0 {
			x.remember(r.Conn, r.Packet, spans)
		}
		// A secret seen on the connection is masked wherever else its
		// bytes are: a token published in a payload, echoed by a broker.
		spans = appendOccurrences(spans, r.Packet.Raw, x.secrets[r.Conn])
		if len(spans) > 0 {
			rec.Packet = masked(r.Packet, spans)
		}
		if tok := tokenOf(r.OneNET); tok != nil {
			x.rememberToken(r.Conn, tok)
		}
		secrets := x.list(r.Conn)
		rec.Packet = scrubProblems(rec.Packet, secrets)
		rec.OneNET = scrubOneNET(r.OneNET, secrets)
	case pipeline.KindEvent:
		rec.Event.Message = scrub(r.Event.Message, x.list(r.Conn))
	case pipeline.KindConnDone:
		secrets := x.list(r.Conn)
		rec.Verdict.Summary = scrub(r.Verdict.Summary, secrets)
		if hasSecret(r.Verdict.Reasons, secrets) {
			rec.Verdict.Reasons = make([]string, len(r.Verdict.Reasons))
			for i, s := range r.Verdict.Reasons {
				rec.Verdict.Reasons[i] = scrub(s, secrets)
			}
		}
		delete(x.secrets, r.Conn)
	}
	return x.Next.Record(rec)
}

// appendOccurrences adds the spans where each secret's bytes occur in raw.
func appendOccurrences(spans []decode.Span, raw []byte, secrets []string) []decode.Span {
	for _, sec := range secrets {
		for from := 0; from < len(raw); {
			i := bytes.Index(raw[from:], []byte(sec))
			if i < 0 {
				break
			}
			spans = append(spans, decode.Span{Off: from + i, Len: len(sec)})
			from += i + len(sec)
		}
	}
	return spans
}

// masked is a copy of p whose secret bytes are '*', and whose decoded
// values read the masked bytes. Each value is re-pointed by where it was
// in p, so the copy holds no secret whether or not Clone kept it aliasing
// the packet's bytes.
func masked(p *decode.Packet, spans []decode.Span) *decode.Packet {
	q := p.Clone()
	for _, s := range spans {
		for i := s.Off; i < s.Off+s.Len; i++ {
			q.Raw[i] = '*'
		}
	}
	repoint := func(orig []byte, dst *[]byte) {
		if off, ok := sliceOffset(orig, p.Raw); ok {
			*dst = q.Raw[off : off+len(orig) : off+len(orig)]
		}
	}
	for _, v := range []struct {
		orig []byte
		dst  *[]byte
	}{{p.ProtocolName, &q.ProtocolName}, {p.ClientID, &q.ClientID}, {p.WillTopic, &q.WillTopic}, {p.WillPayload, &q.WillPayload},
		{p.Username, &q.Username}, {p.Password, &q.Password}, {p.Topic, &q.Topic}, {p.Payload, &q.Payload},
		{p.Trailing, &q.Trailing}, {p.Properties.Rest, &q.Properties.Rest}, {p.WillProperties.Rest, &q.WillProperties.Rest}} {
		repoint(v.orig, v.dst)
	}
	for _, ps := range []struct{ orig, dst *decode.Properties }{{&p.Properties, &q.Properties}, {&p.WillProperties, &q.WillProperties}} {
		for i, pr := range ps.orig.List {
			repoint(pr.Data, &ps.dst.List[i].Data)
			repoint(pr.Data2, &ps.dst.List[i].Data2)
		}
	}
	for i, s := range p.Subscriptions {
		repoint(s.Topic, &q.Subscriptions[i].Topic)
	}
	for i, f := range p.TopicFilters {
		repoint(f, &q.TopicFilters[i])
	}
	for i, f := range p.Fields {
		repoint(f.Data, &q.Fields[i].Data)
		repoint(f.Data2, &q.Fields[i].Data2)
	}
	return q
}

// Flush flushes Next when it has buffered output.
func (x *Redactor) Flush() error {
	if f, ok := x.Next.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

// list is the secret texts to scrub for a record of conn: the access keys
// and what the connection's packets held.
func (x *Redactor) list(conn *stream.Conn) []string {
	if conn == nil || len(x.secrets[conn]) == 0 {
		return x.Keys
	}
	return append(x.secrets[conn][:len(x.secrets[conn]):len(x.secrets[conn])], x.Keys...)
}

func (x *Redactor) add(conn *stream.Conn, s string) {
	if conn == nil || len(s) < minScrub {
		return
	}
	for _, have := range x.secrets[conn] {
		if have == s {
			return
		}
	}
	x.secrets[conn] = append(x.secrets[conn], s)
}

// remember keeps the text of each secret span of p.
func (x *Redactor) remember(conn *stream.Conn, p *decode.Packet, spans []decode.Span) {
	for _, s := range spans {
		x.add(conn, string(p.Raw[s.Off:s.Off+s.Len]))
	}
}

// rememberToken keeps a token's signature as written and decoded, and its
// parts that are not the public version, res, et and method (a malformed
// token's odd parts may hold the signature).
func (x *Redactor) rememberToken(conn *stream.Conn, tok *onenet.Token) {
	x.add(conn, tok.Sign)
	for _, f := range tok.Fields {
		switch f.Key {
		case onenet.FieldVersion, onenet.FieldRes, onenet.FieldET, onenet.FieldMethod:
			continue
		}
		x.add(conn, f.RawValue)
		x.add(conn, f.Value)
		if f.ValueLen == 0 && f.RawValue == "" {
			x.add(conn, f.Key) // a part without "=": Key is all of it
		}
	}
}

func tokenOf(on *onenet.PacketInfo) *onenet.Token {
	if on == nil || on.Token == nil {
		return nil
	}
	return on.Token.Token
}

// scrub replaces every secret in s.
func scrub(s string, secrets []string) string {
	for _, x := range secrets {
		if strings.Contains(s, x) {
			s = strings.ReplaceAll(s, x, Mask)
		}
	}
	return s
}

func hasSecret(ss []string, secrets []string) bool {
	for _, s := range ss {
		if scrub(s, secrets) != s {
			return true
		}
	}
	return false
}

// scrubProblems returns p, or a copy whose problem messages are scrubbed
// when one holds a secret.
func scrubProblems(p *decode.Packet, secrets []string) *decode.Packet {
	if len(secrets) == 0 {
		return p
	}
	for _, pr := range p.Problems {
		if scrub(pr.Message, secrets) != pr.Message {
			q := *p
			q.Problems = append([]decode.Problem(nil), p.Problems...)
			for j := range q.Problems {
				q.Problems[j].Message = scrub(q.Problems[j].Message, secrets)
			}
			return &q
		}
	}
	return p
}

// scrubOneNET returns what OneNET says of a packet with the token's
// signature masked and the secrets scrubbed from every finding (a copy;
// on itself when there is nothing to hide).
func scrubOneNET(on *onenet.PacketInfo, secrets []string) *onenet.PacketInfo {
	if on == nil {
		return nil
	}
	c := *on
	if ti := on.Token; ti != nil {
		t := *ti
		if ti.Token != nil {
			tok := *ti.Token
			tok.Raw = Mask
			if tok.Sign != "" {
				tok.Sign = Mask
			}
			tok.SignBytes = nil
			tok.Fields = append([]onenet.TokenField(nil), ti.Token.Fields...)
			for i, f := range tok.Fields {
				switch f.Key {
				case onenet.FieldVersion, onenet.FieldRes, onenet.FieldET, onenet.FieldMethod:
					continue
				}
				tok.Fields[i].Key = scrub(f.Key, secrets)
				tok.Fields[i].RawValue, tok.Fields[i].Value = Mask, Mask
			}
			t.Token = &tok
		}
		t.Findings = scrubFindings(ti.Findings, secrets)
		c.Token = &t
	}
	c.Findings = scrubFindings(on.Findings, secrets)
	if m := on.Message; m != nil && len(secrets) > 0 {
		mc := *m
		mc.Findings = scrubFindings(m.Findings, secrets)
		c.Message = &mc
	}
	return &c
}

func scrubFindings(fs []onenet.Finding, secrets []string) []onenet.Finding {
	if len(secrets) == 0 || len(fs) == 0 {
		return fs
	}
	out := make([]onenet.Finding, len(fs))
	for i, f := range fs {
		f.Message, f.Field = scrub(f.Message, secrets), scrub(f.Field, secrets)
		out[i] = f
	}
	return out
}
