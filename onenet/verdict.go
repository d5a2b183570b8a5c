package onenet

import (
	"strconv"
	"strings"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// Verdict explains a OneNET connection in terms a user can act on.
type Verdict struct {
	// Status is "ok", "login_refused", "no_connack", "closed_after_publish",
	// "subscription_refused", "error_reply", "unanswered" or "problems".
	Status string
	// Summary is one line; Reasons are the facts behind it, most telling
	// first, each one line (a repeated one with its count and its first
	// and last frame).
	Summary string
	Reasons []string
	// Counts are the reasons that count events (requests without a reply,
	// error replies, refused subscriptions, findings in the traffic), in
	// numbers, in the order of Reasons.
	Counts []Count
}

// OK reports whether nothing went wrong.
func (v Verdict) OK() bool { return v.Status == "ok" }

// closeAfterPublish is how soon after a PUBLISH a server close counts as
// caused by it.
const closeAfterPublish = 5 * time.Second

// Verdict explains the connection after its last packet. It is empty (no
// Status) for a connection that is not to OneNET.
func (c *Conn) Verdict() Verdict {
	if !c.onenet {
		return Verdict{}
	}
	var v Verdict
	set := func(status, summary string) {
		if v.Status == "" || v.Status == "ok" {
			v.Status, v.Summary = status, summary
		}
	}
	if c.connect.seen {
		switch {
		case !c.connack.seen:
			c.noConnack(&v, set)
		case decode.IsFailure(decode.CONNACK, c.connack.version, c.connack.code):
			c.refused(&v, set)
		}
	}
	if c.connack.seen && !decode.IsFailure(decode.CONNACK, c.connack.version, c.connack.code) && c.connect.hasToken {
		for _, f := range c.connect.tokenFindings {
			if f.Severity == Error {
				set("problems", "this server accepted a token OneNET would refuse")
				v.Reasons = append(v.Reasons, "login accepted, but "+f.Message+" (a test broker that does not check tokens?)")
			}
		}
	}
	c.refusedReasons(&v, set)
	c.closedAfterPublish(&v, set)
	c.badReplyReasons(&v, set)
	answered := c.unansweredReasons(&v, set)
	c.problemReasons(&v, set)
	if v.Status == "" {
		v.Status = "ok"
		v.Summary = "no OneNET problem found"
		if c.connack.seen {
			v.Summary = "logged in (CONNACK " + codeText(c.connack.code) + " " + c.connack.name + ")"
		}
		if answered > 0 {
			v.Summary += "; " + strconv.Itoa(answered) + " request(s) answered with success"
		}
	}
	// Reasons quote topics, ids and token fields as the traffic has them:
	// each stays one line whatever they hold (FuzzConn: a topic with a
	// newline in a reason).
	v.Summary = oneLine(v.Summary)
	for i, r := range v.Reasons {
		v.Reasons[i] = oneLine(r)
	}
	return v
}

func (c *Conn) refused(v *Verdict, set func(string, string)) {
	code := c.connack.code
	set("login_refused", "login refused: CONNACK "+codeText(code)+" ("+c.connack.name+")")
	if !c.connect.hasToken {
		v.Reasons = append(v.Reasons, "the password is not a OneNET token (version=…&res=…&et=…&method=…&sign=…)")
		return
	}
	for _, f := range c.connect.tokenFindings {
		if f.Severity == Error {
			v.Reasons = append(v.Reasons, f.Message)
		}
	}
	if len(v.Reasons) == 0 {
		if c.connect.signature == "valid" {
			v.Reasons = append(v.Reasons, "the token is well formed, unexpired, and its signature verifies: the device may not exist on the platform, "+
				"or it logged in too often (at most 3 logins per 5 s per device, onenet.md §4.3)")
		} else {
			v.Reasons = append(v.Reasons, "the token is well formed and unexpired: the signature is the likely cause "+
				"(wrong key, or a key of another device); give the key with --key to check it")
		}
	}
	for _, f := range c.connect.tokenFindings {
		if f.Severity == Warning {
			v.Reasons = append(v.Reasons, f.Message)
		}
	}
}

func codeText(code uint8) string {
	if code < 10 {
		return strconv.Itoa(int(code))
	}
	return "0x" + strconv.FormatUint(uint64(code), 16)
}

// noConnack explains a CONNECT the server never answered: OneNET closes the
// connection without a CONNACK when the CONNECT breaks its rules
// (onenet.md §4.2, §4.3).
func (c *Conn) noConnack(v *Verdict, set func(string, string)) {
	if c.serverClosed == nil {
		set("no_connack", "no CONNACK in the capture (it may end too early)")
	} else {
		set("no_connack", "the server closed the connection ("+strings.ToUpper(c.serverClosed.how)+
			") without a CONNACK: the CONNECT broke one of OneNET's rules")
	}
	v.Reasons = append(v.Reasons, c.connect.malformed...)
	for _, f := range c.connect.tokenFindings {
		if f.Severity == Error {
			v.Reasons = append(v.Reasons, f.Message)
		}
	}
}

// connectRules says which of OneNET's CONNECT rules p breaks (onenet.md
// §4.2), for a server that closes without a CONNACK. It is worked out
// when the CONNECT comes, so that the packet need not be kept.
func connectRules(p *decode.Packet) []string {
	var out []string
	for _, pr := range p.Problems {
		out = append(out, "the CONNECT is malformed: "+pr.Message)
	}
	if p.Has&decode.HasProtocolLevel != 0 && (string(p.ProtocolName) != "MQTT" || p.ProtocolLevel != 4) {
		out = append(out, "protocol "+strconv.Quote(string(p.ProtocolName))+" level "+strconv.Itoa(int(p.ProtocolLevel))+
			": OneNET accepts MQTT 3.1.1 only (\"MQTT\", level 4)")
	}
	if p.Has&decode.HasConnectFlags != 0 && p.ConnectFlags != 0xC2 {
		var why []string
		if p.WillFlag {
			why = append(why, "a will is set (OneNET rejects wills)")
		}
		if !p.CleanSession {
			why = append(why, "clean session is 0")
		}
		if !p.UsernameFlag || !p.PasswordFlag {
			why = append(why, "username and password are both required")
		}
		out = append(out, "connect flags 0x"+strconv.FormatUint(uint64(p.ConnectFlags), 16)+" are not 0xc2: "+strings.Join(why, ", "))
	}
	if p.Has&decode.HasKeepAlive != 0 && (p.KeepAlive < 10 || p.KeepAlive > 1800) {
		out = append(out, "keep alive "+strconv.Itoa(int(p.KeepAlive))+" s is outside 10..1800")
	}
	return out
}

// closedAfterPublish explains a server that closed the connection right
// after a PUBLISH without answering anything (onenet.md §4.3, §4.4).
func (c *Conn) closedAfterPublish(v *Verdict, set func(string, string)) {
	pub, cl := &c.lastPublish, c.serverClosed
	if !c.hasPublish || cl == nil || c.disconnected || cl.at.Before(pub.at) || cl.at.Sub(pub.at) > closeAfterPublish ||
		c.lastServer.After(pub.at) || (c.clientClosed != nil && c.clientClosed.at.Before(cl.at)) {
		return
	}
	ms := cl.at.Sub(pub.at).Milliseconds()
	set("closed_after_publish", "the server closed the connection "+strconv.FormatInt(ms, 10)+" ms after the PUBLISH of frame "+
		strconv.FormatUint(pub.frame, 10)+" to "+strconv.Quote(string(pub.topic)))
	switch {
	case pub.illegal != "":
		v.Reasons = append(v.Reasons, "an illegal topic: "+pub.illegal)
	case !pub.onenet:
		v.Reasons = append(v.Reasons, "an illegal topic: "+strconv.Quote(string(pub.topic))+" is not a OneNET topic of this device (a leading '/' or a '/qos0' suffix make a topic illegal too)")
	}
	if pub.size > 256<<10 {
		v.Reasons = append(v.Reasons, "the payload is "+strconv.Itoa(pub.size)+" bytes: over OneNET's 256 KB limit")
	}
	if pub.qos == 2 {
		v.Reasons = append(v.Reasons, "QoS 2: OneNET supports QoS 0 and 1 only")
	}
	if pub.retain {
		v.Reasons = append(v.Reasons, "retain is set: OneNET does not support retained messages")
	}
	if len(v.Reasons) == 0 {
		v.Reasons = append(v.Reasons, "likely causes, most likely first: an illegal or foreign topic, a payload over 256 KB, QoS 2 or retain "+
			"(onenet.md §4.3); going over 1 message/s only delays messages on Studio")
	}
}

// subscribedTo reports whether the device subscribed to a filter matching
// topic (true when it cannot tell).
func (c *Conn) subscribedTo(topic string) bool {
	for _, f := range c.filters {
		if TopicMatches(f, topic) {
			return true
		}
	}
	return c.moreFilters // some filters were not kept: it may have
}

// TopicMatches reports whether an MQTT topic filter (with + and #) matches
// a topic name.
func TopicMatches(filter, topic string) bool {
	for {
		fl, frest, fmore := strings.Cut(filter, "/")
		tl, trest, tmore := strings.Cut(topic, "/")
		switch {
		case fl == "#":
			return true
		case fl != "+" && fl != tl:
			return false
		}
		if !fmore || !tmore {
			return fmore == tmore || (fmore && frest == "#")
		}
		filter, topic = frest, trest
	}
}
