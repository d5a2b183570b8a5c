package onenet

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// KeyFunc returns the access key (base64) for a device, or for its product
// when device is "", if one is known. Keys never appear in any output.
type KeyFunc func(productID, device string) (string, bool)

// Conn follows the OneNET view of one MQTT connection: the login token,
// topics and payloads, request–reply pairs, and what went wrong. Feed it
// every decoded packet in order; Verdict explains the connection at the
// end.
//
// Its state is bounded whatever the traffic: a request waits for its
// reply for ReplyWindow of capture time and then counts as unanswered;
// what went wrong is kept as counts with a first and a last example, never
// as lists that grow with the traffic. A OneNET property report and its
// reply allocate nothing once the connection is warm. A Conn is a value
// one goroutine owns: it starts none and takes no lock.
type Conn struct {
	Key KeyFunc
	// ReplyWindow is how long, in capture time, a request waits for its
	// reply before it counts as unanswered (a reply after it pairs with
	// nothing). 0 means DefaultReplyWindow; a negative window waits until
	// the connection ends (still at most maxPending requests at once).
	ReplyWindow time.Duration

	onenet  bool // the connection is to OneNET (a token, a $sys topic)
	connect connectInfo
	connack ackInfo
	pending []request // oldest first
	kinds   []kindStat
	// errs counts what went wrong, nil until something did: most
	// connections never need it, and tens of thousands may be open.
	errs         *errorCounts
	lastPublish  publishInfo // the client's last PUBLISH
	hasPublish   bool
	lastServer   time.Time // the server's last packet
	serverClosed *closeInfo
	clientClosed *closeInfo
	disconnected bool
	filters      []string // distinct topic filters the device subscribed to
	moreFilters  bool     // more than maxFilters: some were not kept

	topics   [topicCacheSize]cachedTopic
	nextSlot uint8
	// Scratch holds what a packet's PacketInfo is made of. Connections
	// looked at on one goroutine can share one (an idle connection's state
	// is then small); nil gives the Conn its own. A PacketInfo is valid
	// until the next Packet call with the same Scratch.
	Scratch *Scratch
}

// Scratch is the working memory of Conn.Packet: the current packet's
// topic, message parser, PacketInfo and reply. It is not safe for
// concurrent use.
type Scratch struct {
	topic  Topic // the topic of the current packet (PacketInfo.Topic)
	parser MessageParser
	info   PacketInfo
	reply  Reply
}

func (c *Conn) scratch() *Scratch {
	if c.Scratch == nil {
		c.Scratch = new(Scratch)
	}
	return c.Scratch
}

// DefaultReplyWindow is how long a request waits for its reply by
// default: the platform's own limit for the answers it waits for (a
// synchronous service invoke and a sub-device get/set time out after 5 s,
// onenet.md §3.2, §4.4). The platform's replies come well within it
// (uplink over 1 message/s is delayed to the next second, §4.4).
const DefaultReplyWindow = 5 * time.Second

// Bounds of the per-connection state.
const (
	maxPending     = 64 // requests waiting for a reply at once
	maxFilters     = 16 // distinct topic filters kept (OneNET allows 10 subscriptions)
	maxBadReplies  = 8  // kinds of error reply (topic, code) kept
	maxProblems    = 16 // kinds of finding kept
	topicCacheSize = 4  // topic names kept per connection
)

type connectInfo struct {
	seen     bool
	username string
	clientID string
	// hasToken: the password is a token; tokenFindings and signature are
	// its checks (the Token itself is not kept).
	hasToken      bool
	tokenFindings []Finding
	signature     string
	// malformed says why the CONNECT breaks OneNET's rules, for a server
	// that closed without a CONNACK.
	malformed []string
}

type ackInfo struct {
	seen    bool
	frame   uint64
	code    uint8
	version decode.Version
	name    string
}

type publishInfo struct {
	frame   uint64
	at      time.Time
	topic   []byte // reused: a PUBLISH costs no allocation here
	qos     uint8
	retain  bool
	size    int
	onenet  bool
	illegal string
}

type closeInfo struct {
	frame uint64
	at    time.Time
	how   string // "fin", "rst"
}

// cachedTopic is a topic name the connection used and the pattern it
// matched: the next PUBLISH on it is classified without converting its
// name to a string or matching the tables again.
type cachedTopic struct {
	name string
	pat  int16
	// dev and fn are where the device name and the function start in a
	// $sys name (0: rebuild the Topic with topicAt).
	dev, fn uint16
}

func newCachedTopic(name string, pat int, t *Topic) cachedTopic {
	e := cachedTopic{name: name, pat: int16(pat)}
	dev := len("$sys/") + len(t.ProductID) + 1
	fn := dev + len(t.DeviceName) + 1
	if pat != patNone && fn <= math.MaxUint16 && name[fn-1] == '/' {
		e.dev, e.fn = uint16(dev), uint16(fn)
	}
	return e
}

// fill sets t to the topic of the cached name: what classify gave, without
// splitting the name or matching the pattern again (a PUBLISH on a known
// topic is the common case).
func (e *cachedTopic) fill(t *Topic) {
	if e.fn == 0 {
		*t = topicAt(e.name, int(e.pat))
		return
	}
	p, platform := patternAt(int(e.pat))
	*t = Topic{Platform: platform, ProductID: e.name[len("$sys/") : e.dev-1], DeviceName: e.name[e.dev : e.fn-1],
		Function: e.name[e.fn:], Name: p.name, Direction: p.dir, Reply: p.request != "", Request: p.request, ReplyFunction: p.reply}
	if strings.IndexByte(p.function, '{') >= 0 { // an {id} level
		id, _ := matchFunction(p.function, t.Function)
		t.Identifier, t.Request, t.ReplyFunction = id, withID(p.request, id), withID(p.reply, id)
	}
}

// TokenInfo is a decoded CONNECT password with its checks.
type TokenInfo struct {
	Token    *Token
	Findings []Finding
	// Signature is "unchecked" (no key), "valid" or "invalid".
	Signature string
	Expired   bool
	// ExpiredBy is how long before the packet the token expired (when
	// Expired), or how long it had left.
	ExpiredBy time.Duration
}

// PacketInfo is what OneNET makes of one packet.
type PacketInfo struct {
	Token   *TokenInfo
	Topic   *Topic
	Message *Message
	// ReplyTo pairs a reply with its request.
	ReplyTo *Reply
	// Findings are about the topic (direction, identity, wildcards).
	Findings []Finding
}

// Clone returns a copy of info that stays valid after the next Packet
// call (nil for nil).
func (info *PacketInfo) Clone() *PacketInfo {
	if info == nil {
		return nil
	}
	c := *info
	if info.Topic != nil {
		t := *info.Topic
		c.Topic = &t
	}
	c.Message = info.Message.Clone()
	if info.ReplyTo != nil {
		r := *info.ReplyTo
		c.ReplyTo = &r
	}
	c.Findings = append([]Finding(nil), info.Findings...)
	return &c
}

// Reply is the request a reply answers.
type Reply struct {
	Frame   uint64
	Latency time.Duration
}

// IsOneNET reports whether the connection looks like one to OneNET.
func (c *Conn) IsOneNET() bool { return c.onenet }

// Packet looks at one decoded packet; it returns nil when OneNET has
// nothing to say about it. The PacketInfo and all it points to belong to
// the Conn and alias the packet: they are valid until the next call (as
// the packet is until its decoder's next call). Clone it to keep it.
func (c *Conn) Packet(p *decode.Packet, fromClient bool, frame uint64, at time.Time) *PacketInfo {
	if !fromClient {
		c.lastServer = at
	}
	if len(c.pending) > 0 {
		c.expire(at)
	}
	switch p.Type {
	case decode.CONNECT:
		if fromClient {
			return c.connectPacket(p, frame, at)
		}
	case decode.CONNACK:
		if !fromClient && p.HasReasonCode && !c.connack.seen {
			c.connack = ackInfo{seen: true, frame: frame, code: p.ReasonCode, version: p.Version, name: p.ReasonName()}
		}
	case decode.SUBACK:
		for _, code := range p.ReasonCodes {
			if code >= 0x80 {
				c.errors().refusedSubs.add(frame)
			}
		}
	case decode.SUBSCRIBE:
		if fromClient {
			return c.subscribe(p, frame)
		}
	case decode.PUBLISH:
		return c.publish(p, fromClient, frame, at)
	case decode.DISCONNECT:
		if fromClient {
			c.disconnected = true
		}
	}
	return nil
}

// newInfo clears the Conn's PacketInfo for the current packet.
func (c *Conn) newInfo() *PacketInfo {
	sc := c.scratch()
	sc.info = PacketInfo{Findings: sc.info.Findings[:0]}
	return &sc.info
}

func (c *Conn) connectPacket(p *decode.Packet, frame uint64, at time.Time) *PacketInfo {
	ci := connectInfo{seen: true, username: string(p.Username), clientID: string(p.ClientID)}
	ci.malformed = connectRules(p)
	c.connect = ci
	if !p.PasswordFlag || !LooksLikeToken(p.Password) {
		return nil
	}
	tok, err := ParseToken(string(p.Password))
	if err != nil {
		return nil
	}
	c.onenet = true
	info := &TokenInfo{Token: tok, Signature: "unchecked"}
	info.Findings = tok.Check(CheckContext{Username: ci.username, ClientID: ci.clientID, At: at})
	if tok.ETValid {
		expired, by := tok.Expired(at)
		info.Expired, info.ExpiredBy = expired, by
	}
	if c.Key != nil {
		key, ok := c.Key(tok.ProductID, tok.DeviceName)
		if !ok && tok.ProductID != "" {
			key, ok = c.Key(tok.ProductID, "")
		}
		if ok {
			if valid, err := tok.Verify(key); err == nil {
				info.Signature = map[bool]string{true: "valid", false: "invalid"}[valid]
				if !valid {
					info.Findings = append(info.Findings, Finding{Code: "sign_invalid", Field: "sign", Off: -1, Severity: Error,
						Message: "the signature does not verify with the given key: wrong key, or a token generated for other values"})
				}
			} else {
				info.Findings = append(info.Findings, Finding{Code: "sign_unchecked", Field: "sign", Off: -1, Severity: Warning,
					Message: "the signature could not be checked: " + err.Error()})
			}
		}
	}
	c.connect.hasToken, c.connect.tokenFindings, c.connect.signature = true, info.Findings, info.Signature
	pi := c.newInfo()
	pi.Token = info
	return pi
}

func (c *Conn) subscribe(p *decode.Packet, frame uint64) *PacketInfo {
	var info *PacketInfo
	for _, s := range p.Subscriptions {
		c.addFilter(s.Topic)
		t, ok := ClassifyTopic(string(s.Topic))
		if !ok {
			continue
		}
		c.onenet = true
		if info == nil {
			info = c.newInfo()
			info.Topic = &t
		}
		if t.Direction == DeviceToCloud {
			info.Findings = append(info.Findings, Finding{Code: "subscribe_uplink", Field: "topic", Off: -1, Severity: Warning,
				Message: "subscribing to " + strconv.Quote(string(s.Topic)) + " (" + t.Name + ", which the device publishes): nothing will arrive on it"})
		}
		info.Findings = c.identity(info.Findings, &t)
	}
	if info != nil {
		c.noteProblems(info.Findings, frame)
	}
	return info
}

// addFilter keeps a distinct topic filter, up to maxFilters.
func (c *Conn) addFilter(f []byte) {
	for _, g := range c.filters {
		if g == string(f) {
			return
		}
	}
	if len(c.filters) >= maxFilters {
		c.moreFilters = true
		return
	}
	c.filters = append(c.filters, string(f))
}

// classify recognises a PUBLISH's topic through the connection's cache of
// topic names.
func (c *Conn) classify(name []byte) bool {
	for i := range c.topics {
		if e := &c.topics[i]; e.name != "" && e.name == string(name) {
			e.fill(&c.scratch().topic)
			return true
		}
	}
	s := string(name)
	t, pat, ok := classify(s)
	if !ok {
		return false
	}
	c.topics[c.nextSlot] = newCachedTopic(s, pat, &t)
	c.nextSlot = (c.nextSlot + 1) % topicCacheSize
	c.scratch().topic = t
	return true
}

func (c *Conn) publish(p *decode.Packet, fromClient bool, frame uint64, at time.Time) *PacketInfo {
	name := p.TopicName()
	if fromClient {
		lp := &c.lastPublish
		lp.frame, lp.at, lp.topic, lp.qos, lp.retain = frame, at, append(lp.topic[:0], name...), p.QoS, p.Retain
		lp.size, lp.onenet, lp.illegal = len(p.Payload), false, ""
		c.hasPublish = true
	}
	if len(name) == 0 || name[0] != '$' {
		return nil // every OneNET topic starts with $: skip the rest cheaply
	}
	if !c.classify(name) {
		return nil
	}
	t := &c.scratch().topic
	c.onenet = true
	info := c.newInfo()
	info.Topic = t
	if fromClient {
		c.lastPublish.onenet = true
	}
	wantDir := CloudToDevice
	if fromClient {
		wantDir = DeviceToCloud
	}
	if t.Direction != DirUnknown && t.Direction != wantDir {
		who := "the device"
		if !fromClient {
			who = "the server"
		}
		info.Findings = append(info.Findings, Finding{Code: "wrong_direction", Field: "topic", Off: -1, Severity: Error,
			Message: who + " published on " + t.Name + " (" + t.Direction.String() + "): the platform only accepts it the other way and closes the connection for an illegal topic"})
		if fromClient {
			c.lastPublish.illegal = "it published on a " + t.Direction.String() + " topic (" + t.Name + ")"
		}
	}
	if t.Platform == Unknown && fromClient {
		c.lastPublish.illegal = "the topic is not a OneNET function"
	}
	info.Findings = c.identity(info.Findings, t)
	if m, ok := c.scratch().parser.Parse(t, p.Payload); ok {
		info.Message = m
		c.pair(info, t, m, frame, at)
	}
	c.noteProblems(info.Findings, frame)
	if info.Message != nil {
		c.noteProblems(info.Message.Findings, frame)
	}
	return info
}

// identity checks that a topic's product id and device name are the
// connection's (onenet.md §7.2), appending to fs.
func (c *Conn) identity(fs []Finding, t *Topic) []Finding {
	if !c.connect.seen || t.Platform == Legacy {
		return fs
	}
	if c.connect.username != "" && t.ProductID != c.connect.username {
		fs = append(fs, Finding{Code: "topic_product", Field: "topic", Off: -1, Severity: Error,
			Message: "the topic's product id " + strconv.Quote(t.ProductID) + " is not the connection's (" + strconv.Quote(c.connect.username) + "): a foreign topic, the platform closes the connection"})
	}
	if c.connect.clientID != "" && t.DeviceName != c.connect.clientID {
		fs = append(fs, Finding{Code: "topic_device", Field: "topic", Off: -1, Severity: Error,
			Message: "the topic's device name " + strconv.Quote(t.DeviceName) + " is not the connection's client id " + strconv.Quote(c.connect.clientID)})
	}
	return fs
}

// Closed records that one side ended the connection.
func (c *Conn) Closed(fromClient bool, how string, frame uint64, at time.Time) {
	ci := &closeInfo{frame: frame, at: at, how: how}
	if fromClient {
		if c.clientClosed == nil {
			c.clientClosed = ci
		}
	} else if c.serverClosed == nil {
		c.serverClosed = ci
	}
}
