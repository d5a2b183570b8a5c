package decode

// Session is the MQTT state of one connection: the protocol version, what
// each side has sent so far and the topic aliases of each direction. It
// decodes frames from both directions, in the order they completed.
type Session struct {
	// Assume is the version to use when no CONNECT was seen (a capture that
	// starts mid-connection). VersionUnknown infers it from what parses
	// cleanly.
	Assume Version
	// StartSeen says the client's stream was captured from its first byte,
	// so a first packet other than CONNECT is a missing CONNECT.
	StartSeen bool
	// SkipFields leaves Packet.Fields empty (see Decoder.SkipFields).
	SkipFields bool

	version  Version
	inferred bool
	// undecided counts packets inference could not settle the version on.
	undecided int
	connects  int
	packets   int // client packets seen
	aliases   [2]aliasMap
	// Scratch holds the decoders the session decodes with. Sessions
	// decoded on one goroutine can share one (a connection's state is then
	// small: the decoders are most of it); nil gives the session its own.
	// Packets are valid until the next decode with the same Scratch.
	Scratch *Scratch
}

// Scratch is the working memory of decoding: a decoder for the packet
// returned and one for trial decodes. It is not safe for concurrent use.
type Scratch struct {
	dec, probe Decoder
}

func (s *Session) scratch() *Scratch {
	if s.Scratch == nil {
		s.Scratch = new(Scratch)
	}
	return s.Scratch
}

// Version is the connection's protocol version so far, and whether it was
// inferred (no CONNECT seen).
func (s *Session) Version() (Version, bool) {
	if s.version == VersionUnknown && s.Assume != VersionUnknown {
		return s.Assume, true
	}
	return s.version, s.inferred
}

// Decode decodes one frame sent by the client (fromClient) or the server.
// The packet is valid until the next call.
func (s *Session) Decode(f Frame, fromClient bool) *Packet {
	v, inferred := s.Version()
	sc := s.scratch()
	sc.dec.SkipFields = s.SkipFields
	var p *Packet
	if v == VersionUnknown && len(f.Raw) > 0 && Type(f.Raw[0]>>4) != CONNECT {
		p, inferred = s.infer(f), true
	} else {
		p = sc.dec.DecodeFrame(f, v)
	}
	p.VersionInferred = inferred && p.Type != CONNECT
	dir := 1
	if fromClient {
		dir = 0
	}
	s.checkDirection(p, fromClient)
	switch p.Type {
	case CONNECT:
		s.connect(p, fromClient)
	case CONNACK:
		if p.Version == V5 && !fromClient {
			// The server's Topic Alias Maximum bounds the client's aliases.
			s.aliases[0].max, s.aliases[0].maxKnown = topicAliasMaximum(p), true
		}
	case PUBLISH:
		if p.Version == V5 {
			s.aliases[dir].resolve(p)
		}
	}
	if fromClient {
		if s.packets == 0 && p.Type != CONNECT && s.StartSeen {
			p.Problems = append(p.Problems, Problem{Off: 0, Field: "packet_type", Code: "missing_connect",
				Message: "the client's first packet is a " + p.Type.String() + ", not a CONNECT (MQTT 3.1.1 §3.1: CONNECT must come first)"})
		}
		s.packets++
	}
	return p
}

func (s *Session) connect(p *Packet, fromClient bool) {
	if !fromClient {
		return
	}
	s.connects++
	if s.connects > 1 {
		p.Problems = append(p.Problems, Problem{Off: 0, Field: "packet_type", Code: "double_connect",
			Message: "second CONNECT on this connection: a protocol violation, the server must close the connection (MQTT 3.1.1 §3.1.0-2)"})
		return
	}
	s.version, s.inferred = p.Version, false
	if p.Version == V5 {
		// The client's Topic Alias Maximum bounds the server's aliases.
		s.aliases[1].max, s.aliases[1].maxKnown = topicAliasMaximum(p), true
	}
}

// clientOnly and serverOnly are the packet types that flow one way only.
var (
	clientOnly = in(int(CONNECT), int(SUBSCRIBE), int(UNSUBSCRIBE), int(PINGREQ))
	serverOnly = in(int(CONNACK), int(SUBACK), int(UNSUBACK), int(PINGRESP))
)

func (s *Session) checkDirection(p *Packet, fromClient bool) {
	bit := uint32(1) << p.Type
	switch {
	case fromClient && serverOnly&bit != 0:
		p.Problems = append(p.Problems, Problem{Off: 0, Field: "packet_type", Code: "wrong_direction",
			Message: p.Type.String() + " sent by the client: only a server sends it"})
	case !fromClient && clientOnly&bit != 0:
		p.Problems = append(p.Problems, Problem{Off: 0, Field: "packet_type", Code: "wrong_direction",
			Message: p.Type.String() + " sent by the server: only a client sends it"})
	}
}

// maxUndecided is how many packets of a connection without a CONNECT are
// decoded both ways before 3.1.1 is assumed.
const maxUndecided = 64

// infer decodes a frame of a connection whose CONNECT was not seen, trying
// 3.1.1 and 5.0. A packet only one of them decodes cleanly settles the
// version for the connection; otherwise this packet is shown as 3.1.1 (what
// Wireshark does) unless only 5.0 decodes it cleanly.
func (s *Session) infer(f Frame) *Packet {
	t := Type(f.Raw[0] >> 4)
	sc := s.scratch()
	sc.probe.SkipFields = true
	v5 := sc.probe.DecodeFrame(f, V5)
	clean5 := len(v5.Problems) == 0
	strong5 := clean5 && (t != PUBLISH || len(v5.Properties.List) > 0)
	v3 := sc.dec.DecodeFrame(f, V311)
	clean3 := len(v3.Problems) == 0
	switch {
	case strong5 && !clean3:
		s.version, s.inferred = V5, true
	case clean3 && !clean5 && t != PUBLISH:
		s.version, s.inferred = V311, true
	case strong5 && t == PUBLISH:
		s.version, s.inferred = V5, true
	case t == AUTH:
		s.version, s.inferred = V5, true
	default:
		// Give up after a while: trying both versions on every packet of a
		// long capture would double the cost of decoding it.
		if s.undecided++; s.undecided >= maxUndecided {
			s.version, s.inferred = V311, true
		}
	}
	if s.version == V5 || (clean5 && !clean3) {
		return sc.dec.DecodeFrame(f, V5)
	}
	return v3
}

// Plausible reports whether a frame found while resynchronising decodes
// cleanly for this connection (without touching its state).
func (s *Session) Plausible(f Frame) bool {
	v, _ := s.Version()
	versions := []Version{v}
	if v == VersionUnknown || Type(f.Raw[0]>>4) == CONNECT {
		versions = []Version{V311, V5}
	}
	sc := s.scratch()
	sc.probe.SkipFields = true
	for _, v := range versions {
		if clean(sc.probe.DecodeFrame(f, v)) {
			return true
		}
	}
	return false
}

// clean reports whether a packet has no problems but a missing end.
func clean(p *Packet) bool {
	for _, pr := range p.Problems {
		if pr.Code != "truncated" {
			return false
		}
	}
	return true
}

func topicAliasMaximum(p *Packet) uint16 {
	if pr, ok := p.Properties.Get(PropTopicAliasMaximum); ok {
		return uint16(pr.Uint)
	}
	return 0
}
