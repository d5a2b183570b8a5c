package onenet

import (
	"slices"
	"strconv"
	"strings"
)

// Count is a verdict reason that counts events: what happened, how many
// times, and its first and last occurrence. A reason that happened once
// reads as before ("frame 11: …"); a repeated one is one line with its
// count and its first and last frame.
type Count struct {
	// Code is "unanswered", "error_reply", "subscription_refused", or the
	// code of a finding in the traffic ("flat_params", "topic_device", …).
	Code string
	// Name is the kind of message it is about, in words ("property
	// report"); "" when it is not about one kind.
	Name string
	// N is how many times; Of, when not 0, out of how many messages of
	// that kind.
	N, Of int
	// Expired (unanswered) is how many got no reply within the reply
	// window or were given up for newer requests; the others were still
	// waiting when the connection ended.
	Expired int
	// ReplyCode is the code of an "error_reply".
	ReplyCode int
	// First and Last are the first and the last occurrence; HasIDs says
	// their IDs are message ids (unanswered, error_reply).
	First, Last Occurrence
	HasIDs      bool
}

// Occurrence is where a counted event happened.
type Occurrence struct {
	Frame uint64
	ID    string
}

func occurrence(e example) Occurrence { return Occurrence{Frame: e.frame, ID: e.id.String()} }

func (c *Conn) refusedReasons(v *Verdict, set func(string, string)) {
	t := c.counted().refusedSubs
	if t.n == 0 {
		return
	}
	set("subscription_refused", strconv.Itoa(t.n)+" subscription(s) refused (SUBACK 0x80)")
	const why = "the platform refused the topic filter (a foreign or unknown topic, a wildcard above the fourth level, or more than 10 subscriptions)"
	v.Counts = append(v.Counts, Count{Code: "subscription_refused", N: t.n, First: Occurrence{Frame: t.first}, Last: Occurrence{Frame: t.last}})
	if t.n == 1 {
		v.Reasons = append(v.Reasons, "frame "+strconv.FormatUint(t.first, 10)+": SUBACK 0x80: "+why)
		return
	}
	v.Reasons = append(v.Reasons, thousands(t.n)+" refused subscriptions (SUBACK 0x80); first frame "+thousands(t.first)+
		", last frame "+thousands(t.last)+": "+why)
}

func (c *Conn) badReplyReasons(v *Verdict, set func(string, string)) {
	e := c.counted()
	for _, r := range e.badReplies {
		meaning := CodeMeaning(r.code)
		if meaning == "" {
			meaning = r.msg
		}
		set("error_reply", "the platform answered with code "+strconv.Itoa(r.code))
		v.Counts = append(v.Counts, Count{Code: "error_reply", Name: r.name, N: r.n, ReplyCode: r.code,
			First: occurrence(r.first), Last: occurrence(r.last), HasIDs: true})
		if r.n == 1 {
			v.Reasons = append(v.Reasons, "frame "+strconv.FormatUint(r.first.frame, 10)+": "+r.name+" id "+strconv.Quote(r.first.id.String())+
				": code "+strconv.Itoa(r.code)+" "+meaning)
			continue
		}
		v.Reasons = append(v.Reasons, thousands(r.n)+" "+plural(r.name)+" had code "+strconv.Itoa(r.code)+" "+meaning+
			"; first frame "+thousands(r.first.frame)+" id "+strconv.Quote(r.first.id.String())+
			", last frame "+thousands(r.last.frame)+" id "+strconv.Quote(r.last.id.String()))
	}
	if e.badOther > 0 {
		set("error_reply", "the platform answered with error codes")
		v.Reasons = append(v.Reasons, thousands(e.badOther)+" more error replies with other codes")
	}
}

// unansweredReasons counts, per kind of request, those that got no reply:
// given up after the reply window, or still waiting at the end. It
// returns how many requests were answered.
func (c *Conn) unansweredReasons(v *Verdict, set func(string, string)) (answered int) {
	type group struct {
		k           *kindStat
		n, expired  int
		first, last example
	}
	var groups []group
	for i := range c.kinds {
		k := &c.kinds[i]
		answered += k.answered
		g := group{k: k, n: k.expired, expired: k.expired, first: k.first, last: k.last}
		for j := range c.pending {
			if r := &c.pending[j]; int(r.kind) == i {
				if g.n == 0 {
					g.first = example{frame: r.frame, id: r.id}
				}
				g.n++
				g.last = example{frame: r.frame, id: r.id}
			}
		}
		if g.n > 0 {
			groups = append(groups, g)
		}
	}
	slices.SortStableFunc(groups, func(a, b group) int { return int(a.first.frame) - int(b.first.frame) })
	for _, g := range groups {
		set("unanswered", "requests without a reply in the capture")
		k := g.k
		why := ""
		if t, ok := ClassifyTopic(k.topic); ok && t.Direction == DeviceToCloud && !c.subscribedTo(t.ReplyTopic()) {
			why = " (the device did not subscribe to " + t.ReplyTopic() + ", so the platform's answer was not delivered)"
		}
		if c.counted().gaveUp > 0 && g.expired > 0 {
			why += " (more than " + strconv.Itoa(maxPending) + " requests were waiting at once: the oldest were given up early)"
		}
		v.Counts = append(v.Counts, Count{Code: "unanswered", Name: k.name, N: g.n, Of: k.n, Expired: g.expired,
			First: occurrence(g.first), Last: occurrence(g.last), HasIDs: true})
		var how string
		switch w := c.window(); {
		case g.expired == 0:
			how = "got no reply in the capture"
		case g.expired == g.n:
			how = "got no reply within " + w.String()
		default:
			how = "got no reply (" + thousands(g.expired) + " within " + w.String() + ", " + thousands(g.n-g.expired) + " before the connection ended)"
		}
		if g.n == 1 {
			v.Reasons = append(v.Reasons, "frame "+strconv.FormatUint(g.first.frame, 10)+": "+k.name+" id "+strconv.Quote(g.first.id.String())+" "+how+why)
			continue
		}
		v.Reasons = append(v.Reasons, thousands(g.n)+" of "+thousands(k.n)+" "+plural(k.name)+" "+how+
			"; first frame "+thousands(g.first.frame)+" id "+strconv.Quote(g.first.id.String())+
			", last frame "+thousands(g.last.frame)+" id "+strconv.Quote(g.last.id.String())+why)
	}
	return answered
}

func (c *Conn) problemReasons(v *Verdict, set func(string, string)) {
	problems := c.counted().problems
	if len(problems) == 0 {
		return
	}
	set("problems", "OneNET findings in the traffic")
	for _, p := range problems {
		v.Counts = append(v.Counts, Count{Code: p.code, N: p.n, First: Occurrence{Frame: p.first}, Last: Occurrence{Frame: p.last}})
		if p.n == 1 {
			v.Reasons = append(v.Reasons, "frame "+strconv.FormatUint(p.first, 10)+": "+p.msg)
			continue
		}
		v.Reasons = append(v.Reasons, thousands(p.n)+" times (first frame "+thousands(p.first)+", last frame "+thousands(p.last)+"): "+p.msg)
	}
}

// plural names several messages of a kind: "property reports"; a kind
// whose name ends in a verb reads better as "… requests".
func plural(name string) string {
	for _, verb := range [...]string{" get", " delete", " add", " up", " down", " invoke"} {
		if strings.HasSuffix(name, verb) {
			return name + " requests"
		}
	}
	if strings.HasSuffix(name, " reply") {
		return strings.TrimSuffix(name, " reply") + " replies"
	}
	return name + "s"
}

// thousands writes n with commas between groups of three digits.
func thousands[T int | uint64](n T) string {
	s := strconv.FormatUint(uint64(n), 10)
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
