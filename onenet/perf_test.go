package onenet

import (
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/internal/testutil"
)

// A OneNET Studio device as the benchmarks and the memory tests see it:
// it logs in with a valid token, subscribes to its reply and set topics,
// reports a property, gets the platform's reply, and answers a property
// set.

const (
	perfProduct = "VRqhDHF2wL"
	perfDevice  = "my_tv"
	perfPrefix  = "$sys/" + perfProduct + "/" + perfDevice + "/thing/property/"
)

var perfStart = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func perfConnect(tb testing.TB) []byte {
	tb.Helper()
	tok, err := Generate(GenerateOptions{ProductID: perfProduct, DeviceName: perfDevice, KeyBase64: keyB1, Method: "md5",
		ExpiresAt: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		tb.Fatal(err)
	}
	return connectWith(perfDevice, perfProduct, tok, 0xC2, 60)
}

func perfPost(id int) []byte {
	return publishOn(perfPrefix+"post", `{"id":"`+strconv.Itoa(id)+`","version":"1.0","params":{"wendu":{"value":21.1},"shidu":{"value":48}}}`)
}

func perfReply(id int) []byte {
	return publishOn(perfPrefix+"post/reply", `{"id":"`+strconv.Itoa(id)+`","code":200,"msg":"success"}`)
}

func perfSet(id int) []byte {
	return publishOn(perfPrefix+"set", `{"id":"`+strconv.Itoa(id)+`","version":"1.0","params":{"wendu":25}}`)
}

func perfSetReply(id int) []byte {
	return publishOn(perfPrefix+"set_reply", `{"id":"`+strconv.Itoa(id)+`","code":200,"msg":"success"}`)
}

// perfPackets are the raw packets of a device session, built once and
// shared by every connection of a test: in the pipeline, payloads live in
// buffers the connections share, and a Conn that aliases its last payload
// must not be charged for the test's copies.
type perfPackets struct {
	connect, connack, subscribe, suback []byte
	post, reply, set, setReply          [][]byte
}

func newPerfPackets(tb testing.TB, rounds int) *perfPackets {
	tb.Helper()
	pp := &perfPackets{connect: perfConnect(tb), connack: hexb("20020000"),
		subscribe: mqtt(0x82, []byte{0, 1}, mstr(perfPrefix+"post/reply"), []byte{0}, mstr(perfPrefix+"set"), []byte{0}),
		suback:    hexb("900400010000")}
	for i := range rounds {
		pp.post = append(pp.post, perfPost(i))
		pp.reply = append(pp.reply, perfReply(i))
		pp.set = append(pp.set, perfSet(i))
		pp.setReply = append(pp.setReply, perfSetReply(i))
	}
	return pp
}

// perfSession feeds c the login and the subscriptions of a device, then
// rounds of post, reply, set and set_reply. It returns the time of the
// last packet.
func perfSession(tb testing.TB, c *Conn, d *decode.Decoder, pp *perfPackets) time.Time {
	tb.Helper()
	at := perfStart
	var frame uint64
	feed := func(raw []byte, fromClient bool) {
		frame++
		at = at.Add(10 * time.Millisecond)
		c.Packet(d.Decode(raw, decode.V311), fromClient, frame, at)
	}
	feed(pp.connect, true)
	feed(pp.connack, false)
	feed(pp.subscribe, true)
	feed(pp.suback, false)
	for i := range pp.post {
		feed(pp.post[i], true)
		feed(pp.reply[i], false)
		feed(pp.set[i], false)
		feed(pp.setReply[i], true)
	}
	return at
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestIdleConnMemory: what the OneNET layer keeps for a connection that
// has logged in, subscribed and exchanged requests and replies, once it
// is idle: the Conn value itself (the pipeline keeps it by value) and all
// it points to. Target: at most 2 KB (issue 9).
func TestIdleConnMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	const n = 2000
	var d decode.Decoder
	pp := newPerfPackets(t, 20)
	before := liveHeap()
	conns := make([]Conn, n)
	for i := range conns {
		perfSession(t, &conns[i], &d, pp)
	}
	after := liveHeap()
	per := (int64(after) - int64(before)) / n
	runtime.KeepAlive(conns)
	t.Logf("%d bytes per idle OneNET connection (Conn value %d bytes)", per, reflect.TypeFor[Conn]().Size())
	if per > 2048 {
		t.Errorf("an idle OneNET connection keeps %d bytes, want at most 2048", per)
	}
}

// BenchmarkConnPostReply: a property report and its reply through
// Conn.Packet, decoding included (the decoder allocates nothing).
func BenchmarkConnPostReply(b *testing.B) {
	var c Conn
	var d decode.Decoder
	at := perfSession(b, &c, &d, newPerfPackets(b, 4))
	const ids = 256
	posts, replies := make([][]byte, ids), make([][]byte, ids)
	for i := range ids {
		posts[i], replies[i] = perfPost(1000+i), perfReply(1000+i)
	}
	b.ReportAllocs()
	frame := uint64(100)
	i := 0
	for b.Loop() {
		at = at.Add(500 * time.Millisecond)
		frame += 2
		c.Packet(d.Decode(posts[i%ids], decode.V311), true, frame, at)
		c.Packet(d.Decode(replies[i%ids], decode.V311), false, frame+1, at.Add(5*time.Millisecond))
		i++
	}
}

// TestConnPacketAllocs: once warm, a property report and its reply through
// Conn.Packet allocate nothing (decoding included).
func TestConnPacketAllocs(t *testing.T) {
	if testutil.RaceEnabled {
		t.Skip("the race detector allocates")
	}
	var c Conn
	var d1, d2 decode.Decoder
	at := perfSession(t, &c, &d1, newPerfPackets(t, 4))
	post, reply := d1.Decode(perfPost(77), decode.V311), d2.Decode(perfReply(77), decode.V311)
	frame := uint64(100)
	n := testutil.AllocsPerRun(1000, func() {
		at = at.Add(time.Second)
		frame += 2
		if info := c.Packet(post, true, frame, at); info == nil || info.Message == nil || len(info.Findings) > 0 {
			t.Fatalf("post: %+v", info)
		}
		if info := c.Packet(reply, false, frame+1, at.Add(3*time.Millisecond)); info == nil || info.ReplyTo == nil || info.ReplyTo.Frame != frame {
			t.Fatalf("reply: %+v", info)
		}
	})
	if n != 0 {
		t.Errorf("a property report and its reply allocate %v times, want 0", n)
	}
}

// TestUnansweredStaysBounded: a device that posts and never gets a reply
// leaves counts, not lists: the state and the verdict are the same size
// after 1,000 requests as after 100,000, and the verdict says it in one
// line.
func TestUnansweredStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	const conns = 200
	var d decode.Decoder
	pp := newPerfPackets(t, 0)
	posts := make([][]byte, 64)
	for i := range posts {
		posts[i] = perfPost(i)
	}
	run := func(n int, interval time.Duration) (perConn int64, c *Conn) {
		cs := make([]Conn, conns)
		before := liveHeap()
		for i := range cs {
			at := perfSession(t, &cs[i], &d, pp)
			for j := range n / conns {
				at = at.Add(interval)
				cs[i].Packet(d.Decode(posts[j%len(posts)], decode.V311), true, uint64(10+j), at)
			}
		}
		after := liveHeap()
		runtime.KeepAlive(cs)
		return (int64(after) - int64(before)) / conns, &cs[0]
	}
	for _, interval := range []time.Duration{time.Second, time.Millisecond} {
		small, _ := run(20_000, interval)
		big, c := run(200_000, interval)
		t.Logf("every %v: %d bytes per connection after 100 requests each, %d after 1,000", interval, small, big)
		if len(c.pending) > maxPending || len(c.kinds) > 4 {
			t.Errorf("every %v: %d pending, %d kinds", interval, len(c.pending), len(c.kinds))
		}
		if big > small+256 || big > 8<<10 {
			t.Errorf("every %v: the state grows with the requests: %d bytes per connection after 100, %d after 1,000", interval, small, big)
		}
		v := c.Verdict()
		var lines []string
		for _, r := range v.Reasons {
			if strings.Contains(r, "got no reply") {
				lines = append(lines, r)
			}
		}
		if v.Status != "unanswered" || len(lines) != 1 || len(v.Counts) != 1 || v.Counts[0].N != 1000 || v.Counts[0].Of != 1000 {
			t.Errorf("every %v: verdict %+v", interval, v)
		}
		if !strings.HasPrefix(lines[0], "1,000 of 1,000 property reports got no reply") || !strings.Contains(lines[0], `; first frame 10 id "0", last frame 1,009 id "39"`) {
			t.Errorf("every %v: %q", interval, lines[0])
		}
	}
}
