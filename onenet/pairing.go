package onenet

import (
	"hash/fnv"
	"time"
)

// Requests and replies (onenet.md §3.2: replies are matched only by id and
// topic). A request waits in Conn.pending, oldest first, until its reply
// comes, its reply window passes, or maxPending newer requests push it
// out; then it leaves only counts and examples behind, in its kind's
// kindStat.

// request is a request waiting for its reply.
type request struct {
	frame uint64
	at    time.Time
	topic string // the request's topic name (shared with the topic cache)
	id    msgID
	kind  uint8 // index in Conn.kinds
}

// msgID is a copy of a message id in 16 bytes. OneJSON ids are at most 13
// digits and the suite's are int32s: they fit. A longer id keeps its first
// 7 bytes and a 64-bit hash of the whole (pairing compares the same
// digest; the verdict shows the id cut short).
type msgID struct {
	b [15]byte
	n uint8 // length, or longID
}

const longID = 0xff

func (id *msgID) set(b []byte) {
	if len(b) <= len(id.b) {
		id.n = uint8(copy(id.b[:], b))
		return
	}
	id.n = longID
	copy(id.b[:7], b)
	h := fnv.New64a()
	h.Write(b)
	h.Sum(id.b[7:7:15])
}

func (id *msgID) equal(b []byte) bool {
	if id.n != longID {
		return string(id.b[:id.n]) == string(b)
	}
	var o msgID
	o.set(b)
	return o == *id
}

func (id *msgID) String() string {
	if id.n == longID {
		return string(id.b[:7]) + "…"
	}
	return string(id.b[:id.n])
}

// example is one occurrence of something counted: where, and the message
// id when there is one.
type example struct {
	frame uint64
	id    msgID
}

// kindStat counts the requests of one kind (a topic's Name: "property
// report") on the connection and what became of them.
type kindStat struct {
	name     string
	topic    string // the first request's topic, to tell why replies are missing
	n        int    // requests of this kind
	answered int
	// expired requests got no reply within the window (or were pushed out
	// by newer ones); first and last are the oldest and newest of them.
	expired     int
	first, last example
}

func (c *Conn) kind(name string) uint8 {
	for i := range c.kinds {
		if c.kinds[i].name == name {
			return uint8(i)
		}
	}
	// Names come from the topic tables: there are fewer than 256.
	c.kinds = append(c.kinds, kindStat{name: name})
	return uint8(len(c.kinds) - 1)
}

// window is the reply window in force (0: none).
func (c *Conn) window() time.Duration {
	switch {
	case c.ReplyWindow == 0:
		return DefaultReplyWindow
	case c.ReplyWindow < 0:
		return 0
	}
	return c.ReplyWindow
}

// expire gives up on the requests whose reply window has passed at at.
func (c *Conn) expire(at time.Time) {
	w := c.window()
	if w == 0 {
		return
	}
	n := 0
	for n < len(c.pending) && at.Sub(c.pending[n].at) > w {
		c.unanswered(&c.pending[n])
		n++
	}
	c.dropPending(n)
}

// dropPending removes the n oldest pending requests.
func (c *Conn) dropPending(n int) {
	if n == 0 {
		return
	}
	c.pending = c.pending[:copy(c.pending, c.pending[n:])]
	if len(c.pending) == 0 && cap(c.pending) > 8 {
		c.pending = nil // a burst is over: do not keep its room
	}
}

func (c *Conn) unanswered(r *request) {
	k := &c.kinds[r.kind]
	if k.expired == 0 {
		k.first = example{frame: r.frame, id: r.id}
	}
	k.expired++
	k.last = example{frame: r.frame, id: r.id}
}

// pair remembers requests and matches replies to them by topic and id:
// a reply answers the newest request still waiting on its request topic
// with its id.
func (c *Conn) pair(info *PacketInfo, t *Topic, m *Message, frame uint64, at time.Time) {
	if t.Reply {
		for i := len(c.pending) - 1; i >= 0; i-- {
			r := &c.pending[i]
			if r.id.equal(m.ID) && isTopic(r.topic, t.ProductID, t.DeviceName, t.Request) {
				sc := c.scratch()
				sc.reply = Reply{Frame: r.frame, Latency: at.Sub(r.at)}
				info.ReplyTo = &sc.reply
				c.kinds[r.kind].answered++
				c.pending = append(c.pending[:i], c.pending[i+1:]...)
				break
			}
		}
		if !m.Success() || t.Function == "dp/post/json/rejected" {
			c.badReply(t.Name, m, frame)
		}
		return
	}
	if t.ReplyFunction == "" || !m.HasID {
		return
	}
	k := c.kind(t.Name)
	c.kinds[k].n++
	if len(c.pending) == maxPending {
		c.unanswered(&c.pending[0])
		c.errors().gaveUp++
		c.dropPending(1)
	}
	if c.kinds[k].topic == "" {
		c.kinds[k].topic = c.topicName(t)
	}
	c.pending = append(c.pending, request{frame: frame, at: at, topic: c.topicName(t), kind: k})
	c.pending[len(c.pending)-1].id.set(m.ID)
}

// topicName is the cached name of the current topic t.
func (c *Conn) topicName(t *Topic) string {
	for _, e := range c.topics {
		if e.name != "" && isTopic(e.name, t.ProductID, t.DeviceName, t.Function) {
			return e.name
		}
	}
	return "$sys/" + t.ProductID + "/" + t.DeviceName + "/" + t.Function
}

// isTopic reports whether name is "$sys/{pid}/{dev}/{function}".
func isTopic(name, pid, dev, function string) bool {
	const sys = "$sys/"
	if function == "" || len(name) != len(sys)+len(pid)+1+len(dev)+1+len(function) || name[:len(sys)] != sys {
		return false
	}
	name = name[len(sys):]
	if name[:len(pid)] != pid || name[len(pid)] != '/' {
		return false
	}
	name = name[len(pid)+1:]
	return name[:len(dev)] == dev && name[len(dev)] == '/' && name[len(dev)+1:] == function
}

// badReply counts a reply that reports a failure, by topic and code.
type badReply struct {
	name        string
	code        int
	msg         string // the first one's
	n           int
	first, last example
}

func (c *Conn) badReply(name string, m *Message, frame uint64) {
	ex := example{frame: frame}
	ex.id.set(m.ID)
	e := c.errors()
	for i := range e.badReplies {
		if b := &e.badReplies[i]; b.name == name && b.code == m.Code {
			b.n++
			b.last = ex
			return
		}
	}
	if len(e.badReplies) == maxBadReplies {
		e.badOther++
		return
	}
	e.badReplies = append(e.badReplies, badReply{name: name, code: m.Code, msg: string(m.Msg), n: 1, first: ex, last: ex})
}

// problem counts the error findings of one code in the traffic.
type problem struct {
	code        string
	msg         string // the first one's
	n           int
	first, last uint64 // frames
}

// noteProblems counts the error findings of a packet for the verdict.
func (c *Conn) noteProblems(fs []Finding, frame uint64) {
	for i := range fs {
		f := &fs[i]
		if f.Severity != Error {
			continue
		}
		c.problem(f.Code, f.Message, frame)
	}
}

func (c *Conn) problem(code, msg string, frame uint64) {
	e := c.errors()
	for i := range e.problems {
		if p := &e.problems[i]; p.code == code {
			p.n++
			p.last = frame
			return
		}
	}
	if len(e.problems) < maxProblems {
		e.problems = append(e.problems, problem{code: code, msg: msg, n: 1, first: frame, last: frame})
	}
}

// errorCounts are a connection's counts of what went wrong.
type errorCounts struct {
	refusedSubs tally
	gaveUp      int // requests dropped unanswered because maxPending were waiting
	badReplies  []badReply
	badOther    int // error replies beyond maxBadReplies kinds
	problems    []problem
}

// errors is the connection's errorCounts, made on the first need.
func (c *Conn) errors() *errorCounts {
	if c.errs == nil {
		c.errs = new(errorCounts)
	}
	return c.errs
}

// counted is the connection's errorCounts, empty when nothing went wrong.
func (c *Conn) counted() errorCounts {
	if c.errs == nil {
		return errorCounts{}
	}
	return *c.errs
}

// tally counts occurrences by frame.
type tally struct {
	n           int
	first, last uint64
}

func (t *tally) add(frame uint64) {
	if t.n == 0 {
		t.first = frame
	}
	t.n++
	t.last = frame
}
