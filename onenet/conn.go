package onenet

import (
	"strconv"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// KeyFunc returns the access key (base64) for a device, or for its product
// when device is "", if one is known. Keys never appear in any output.
type KeyFunc func(productID, device string) (string, bool)

// Conn follows the OneNET view of one MQTT connection: the login token,
// topics and payloads, request–reply pairs, and what went wrong. Feed it
// every decoded packet in order; Verdict explains the connection at the
// end. It keeps copies of what it needs (packets alias their buffers).
type Conn struct {
	Key KeyFunc

	onenet       bool // the connection is to OneNET (a token, a $sys topic)
	connect      *connectInfo
	connack      *ackInfo
	refusedSubs  []refusedSub
	pending      map[pendingKey]*request
	order        []*request // pending requests in order, for the verdict
	badReplies   []badReply
	lastPublish  publishInfo // the client's last PUBLISH
	hasPublish   bool
	lastServer   time.Time // the server's last packet
	serverClosed *closeInfo
	clientClosed *closeInfo
	disconnected bool
	problems     []string // topic and payload findings, for the verdict
	filters      []string // topic filters the device subscribed to
	parser       MessageParser
}

type connectInfo struct {
	frame    uint64
	at       time.Time
	username string
	clientID string
	token    *TokenInfo
	packet   *decode.Packet
}

type ackInfo struct {
	frame   uint64
	code    uint8
	version decode.Version
	name    string
}

type refusedSub struct {
	frame uint64
	topic string
}

type pendingKey struct{ replyTopic, id string }

type request struct {
	frame uint64
	at    time.Time
	topic Topic
	id    string
	done  bool
}

type badReply struct {
	frame uint64
	name  string
	id    string
	code  int
	msg   string
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
// nothing to say about it. The PacketInfo's message aliases the packet's
// payload and the Conn's buffers: it is valid until the next call (as the
// packet is until the decoder's next call). Clone it to keep it.
func (c *Conn) Packet(p *decode.Packet, fromClient bool, frame uint64, at time.Time) *PacketInfo {
	if !fromClient {
		c.lastServer = at
	}
	switch p.Type {
	case decode.CONNECT:
		if fromClient {
			return c.connectPacket(p, frame, at)
		}
	case decode.CONNACK:
		if !fromClient && p.HasReasonCode && c.connack == nil {
			c.connack = &ackInfo{frame: frame, code: p.ReasonCode, version: p.Version, name: p.ReasonName()}
		}
	case decode.SUBACK:
		c.suback(p, frame)
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

func (c *Conn) connectPacket(p *decode.Packet, frame uint64, at time.Time) *PacketInfo {
	ci := &connectInfo{frame: frame, at: at, username: string(p.Username), clientID: string(p.ClientID), packet: p.Clone()}
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
	ci.token = info
	return &PacketInfo{Token: info}
}

func (c *Conn) subscribe(p *decode.Packet, frame uint64) *PacketInfo {
	var info *PacketInfo
	for _, s := range p.Subscriptions {
		c.filters = append(c.filters, string(s.Topic))
		t, ok := ClassifyTopic(string(s.Topic))
		if !ok {
			continue
		}
		c.onenet = true
		if info == nil {
			info = &PacketInfo{Topic: &t}
		}
		if t.Direction == DeviceToCloud {
			info.Findings = append(info.Findings, Finding{Code: "subscribe_uplink", Field: "topic", Off: -1, Severity: Warning,
				Message: "subscribing to " + strconv.Quote(string(s.Topic)) + " (" + t.Name + ", which the device publishes): nothing will arrive on it"})
		}
		info.Findings = append(info.Findings, c.identity(t)...)
	}
	if info != nil {
		for _, f := range info.Findings {
			if f.Severity == Error {
				c.problems = append(c.problems, "frame "+strconv.FormatUint(frame, 10)+": "+f.Message)
			}
		}
	}
	return info
}

func (c *Conn) suback(p *decode.Packet, frame uint64) {
	for _, code := range p.ReasonCodes {
		if code >= 0x80 {
			c.refusedSubs = append(c.refusedSubs, refusedSub{frame: frame})
		}
	}
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
	t, ok := ClassifyTopic(string(name))
	if !ok {
		return nil
	}
	c.onenet = true
	info := &PacketInfo{Topic: &t}
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
	info.Findings = append(info.Findings, c.identity(t)...)
	if m, ok := c.parser.Parse(&t, p.Payload); ok {
		info.Message = m
		c.pair(info, t, m, frame, at)
	}
	findings := info.Findings
	if info.Message != nil {
		findings = append(findings[:len(findings):len(findings)], info.Message.Findings...)
	}
	for _, f := range findings {
		if f.Severity == Error {
			c.problems = append(c.problems, "frame "+strconv.FormatUint(frame, 10)+": "+f.Message)
		}
	}
	return info
}

// identity checks that a topic's product id and device name are the
// connection's (onenet.md §7.2).
func (c *Conn) identity(t Topic) []Finding {
	if c.connect == nil || t.Platform == Legacy {
		return nil
	}
	var out []Finding
	if c.connect.username != "" && t.ProductID != c.connect.username {
		out = append(out, Finding{Code: "topic_product", Field: "topic", Off: -1, Severity: Error,
			Message: "the topic's product id " + strconv.Quote(t.ProductID) + " is not the connection's (" + strconv.Quote(c.connect.username) + "): a foreign topic, the platform closes the connection"})
	}
	if c.connect.clientID != "" && t.DeviceName != c.connect.clientID {
		out = append(out, Finding{Code: "topic_device", Field: "topic", Off: -1, Severity: Error,
			Message: "the topic's device name " + strconv.Quote(t.DeviceName) + " is not the connection's client id " + strconv.Quote(c.connect.clientID)})
	}
	return out
}

// pair remembers requests and matches replies to them by reply topic and
// id (onenet.md §3.2: replies are matched only by id and topic).
func (c *Conn) pair(info *PacketInfo, t Topic, m *Message, frame uint64, at time.Time) {
	if c.pending == nil {
		c.pending = make(map[pendingKey]*request)
	}
	if t.Reply {
		req, ok := c.pending[pendingKey{replyTopic: "$sys/" + t.ProductID + "/" + t.DeviceName + "/" + t.Function, id: string(m.ID)}]
		if !ok && t.Platform == Suite {
			// The suite's rejected/accepted topics answer the same request.
			req, ok = c.pending[pendingKey{replyTopic: t.RequestTopic() + "/accepted", id: string(m.ID)}]
		}
		if ok && !req.done {
			req.done = true
			info.ReplyTo = &Reply{Frame: req.frame, Latency: at.Sub(req.at)}
		}
		if !m.Success() || t.Function == "dp/post/json/rejected" {
			c.badReplies = append(c.badReplies, badReply{frame: frame, name: t.Name, id: string(m.ID), code: m.Code, msg: string(m.Msg)})
		}
		return
	}
	if rt := t.ReplyTopic(); rt != "" && m.HasID {
		r := &request{frame: frame, at: at, topic: t, id: string(m.ID)}
		c.pending[pendingKey{replyTopic: rt, id: r.id}] = r
		c.order = append(c.order, r)
	}
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
