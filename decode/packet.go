package decode

// Packet is one decoded MQTT control packet.
//
// It is a union of the fields of all packet types: only those that belong to
// Type are set. Byte slices alias the input (see the package doc). Fields
// lists every field in wire order with its byte range, for the detailed
// view, the annotated hexdump and fixtures; the typed members below are the
// same values for programs.
type Packet struct {
	Raw             []byte // the whole packet: fixed header, variable header, payload
	Type            Type
	Flags           uint8  // low nibble of the first byte
	RemainingLength uint32 // as decoded from the header
	HeaderLen       int    // fixed header length: 1 + the remaining-length bytes
	// PayloadOff is where the packet's payload section starts (CONNECT:
	// the client id; PUBLISH: the application message; SUBSCRIBE, SUBACK,
	// UNSUBSCRIBE, UNSUBACK: the list), or 0 when it has none.
	PayloadOff int
	// RemainingLengthBytes is set (to HeaderLen-1) only when the remaining
	// length was not minimally encoded or was written in one byte over 127:
	// Encode keeps that encoding; otherwise it writes the minimal one.
	RemainingLengthBytes int
	Version              Version
	VersionInferred      bool // no CONNECT seen: the version was inferred or assumed

	// PUBLISH fixed-header flags.
	DUP    bool
	QoS    uint8
	Retain bool

	// CONNECT.
	ProtocolName  []byte
	ProtocolLevel uint8
	ConnectFlags  uint8
	CleanSession  bool
	WillFlag      bool
	WillQoS       uint8
	WillRetain    bool
	PasswordFlag  bool
	UsernameFlag  bool
	KeepAlive     uint16
	ClientID      []byte
	WillTopic     []byte
	WillPayload   []byte
	Username      []byte
	Password      []byte

	// CONNACK.
	AckFlags       uint8
	SessionPresent bool

	// ReasonCode is the CONNACK return code (3.x) or the reason code of
	// CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, DISCONNECT and AUTH (5.0).
	ReasonCode    uint8
	HasReasonCode bool

	PacketID    uint16
	HasPacketID bool

	// PUBLISH. Topic is what the packet carries (empty when a v5 topic
	// alias stands in for it); AliasTopic is the topic the alias resolved to.
	Topic      []byte
	AliasTopic []byte
	Payload    []byte

	Properties     Properties
	WillProperties Properties

	Subscriptions []Subscription // SUBSCRIBE
	TopicFilters  [][]byte       // UNSUBSCRIBE
	ReasonCodes   []uint8        // SUBACK, UNSUBACK (5.0)

	// Has says which optional fields the packet carries (HasClientID...),
	// whether or not Fields was recorded.
	Has Presence

	Fields   []Field
	Problems []Problem

	// Truncated is set when the packet's bytes are incomplete (the capture
	// ended, or bytes were not captured); Problems then say where.
	Truncated bool

	// Trailing holds bytes after the last field that the remaining length
	// covers (a "trailing_bytes" problem), so that Encode gives them back.
	Trailing []byte
}

// Presence is a set of the fields a packet carries.
type Presence uint32

// Fields whose presence depends on the packet (flags, version, truncation).
const (
	HasProtocolLevel Presence = 1 << iota
	HasConnectFlags
	HasKeepAlive
	HasClientID
	HasWillTopic
	HasWillPayload
	HasUsername
	HasPassword
	HasAckFlags
	HasTopic
	HasPayload
	HasBody
)

// Subscription is one topic filter of a SUBSCRIBE with its options byte.
type Subscription struct {
	Topic          []byte
	Options        uint8
	QoS            uint8
	NoLocal        bool // 5.0
	RetainAsPub    bool // 5.0
	RetainHandling uint8
}

// Span is a byte range within a packet.
type Span struct {
	Off, Len int
}

// Kind says how a Field's value is held and shown.
type Kind uint8

// Field value kinds.
const (
	KindGroup  Kind = iota // a heading for the fields below it (Depth+1)
	KindUint               // Uint
	KindBool               // Uint 0 or 1
	KindFlags              // Uint, a bit field shown in hex and binary
	KindString             // Data, a UTF-8 string (shown as text)
	KindBinary             // Data, binary data (shown as hex; as text only when it is valid UTF-8)
	KindPair               // Data (key) and Data2 (value): a v5 user property
)

// Field is one decoded field with its byte range in the packet. Name is the
// spec's name in snake_case ("client_id", "remaining_length"); Depth nests
// it under the preceding field of smaller depth.
type Field struct {
	Name  string
	Span  Span
	Depth int
	Kind  Kind
	Uint  uint64
	Data  []byte
	Data2 []byte
}

// Problem is a protocol violation found in a packet, with the offset of the
// byte it is about, the field it concerns and what was expected.
type Problem struct {
	Off     int
	Field   string
	Code    string // stable identifier, e.g. "reserved_flags", "vbi_not_minimal"
	Message string
}

// reset clears p for reuse, keeping the capacity of its slices.
func (p *Packet) reset() {
	fields, problems := p.Fields[:0], p.Problems[:0]
	subs, filters, codes := p.Subscriptions[:0], p.TopicFilters[:0], p.ReasonCodes[:0]
	props, willProps := p.Properties.List[:0], p.WillProperties.List[:0]
	*p = Packet{}
	p.Fields, p.Problems = fields, problems
	p.Subscriptions, p.TopicFilters, p.ReasonCodes = subs, filters, codes
	p.Properties.List, p.WillProperties.List = props, willProps
}

// Len is the packet's length in bytes.
func (p *Packet) Len() int { return len(p.Raw) }

// TopicName is the topic the PUBLISH was sent to: its own topic, or the one
// its topic alias stands for.
func (p *Packet) TopicName() []byte {
	if len(p.Topic) == 0 && len(p.AliasTopic) > 0 {
		return p.AliasTopic
	}
	return p.Topic
}

// Field returns the first field with the given name.
func (p *Packet) Field(name string) (Field, bool) {
	for _, f := range p.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// ReasonName is the name of the packet's reason or return code for its
// type and version ("Not authorized"), or "" when it has none.
func (p *Packet) ReasonName() string {
	if !p.HasReasonCode {
		return ""
	}
	return ReasonName(p.Type, p.Version, p.ReasonCode)
}

// Clone returns a deep copy of p that does not alias its input.
func (p *Packet) Clone() *Packet {
	c := *p
	raw := append([]byte(nil), p.Raw...)
	rebase := func(b []byte) []byte { return rebaseSlice(b, p.Raw, raw) }
	c.Raw = raw
	c.ProtocolName, c.ClientID, c.WillTopic = rebase(p.ProtocolName), rebase(p.ClientID), rebase(p.WillTopic)
	c.WillPayload, c.Username, c.Password = rebase(p.WillPayload), rebase(p.Username), rebase(p.Password)
	c.Topic, c.Payload = rebase(p.Topic), rebase(p.Payload)
	c.AliasTopic = append([]byte(nil), p.AliasTopic...)
	c.Properties = p.Properties.clone(rebase)
	c.WillProperties = p.WillProperties.clone(rebase)
	c.Subscriptions = append([]Subscription(nil), p.Subscriptions...)
	for i := range c.Subscriptions {
		c.Subscriptions[i].Topic = rebase(c.Subscriptions[i].Topic)
	}
	c.TopicFilters = make([][]byte, len(p.TopicFilters))
	for i, f := range p.TopicFilters {
		c.TopicFilters[i] = rebase(f)
	}
	c.ReasonCodes = append([]uint8(nil), p.ReasonCodes...)
	c.Fields = append([]Field(nil), p.Fields...)
	for i := range c.Fields {
		c.Fields[i].Data, c.Fields[i].Data2 = rebase(c.Fields[i].Data), rebase(c.Fields[i].Data2)
	}
	c.Problems = append([]Problem(nil), p.Problems...)
	c.Trailing = rebase(p.Trailing)
	return &c
}

// rebaseSlice maps b, a sub-slice of old, to the same range of new. A slice
// that does not lie in old is copied.
func rebaseSlice(b, old, new []byte) []byte {
	if b == nil {
		return nil
	}
	if len(old) > 0 && cap(b) > 0 && cap(b) <= cap(old) {
		off := cap(old) - cap(b)
		if off >= 0 && off+len(b) <= len(old) && len(b) > 0 && &old[off] == &b[0] {
			return new[off : off+len(b) : off+len(b)]
		}
	}
	return append([]byte{}, b...)
}
