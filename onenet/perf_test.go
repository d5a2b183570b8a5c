package onenet

import (
	"strconv"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
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

// perfSession feeds c the login and the subscriptions of a device, then
// rounds of post, reply, set and set_reply. It returns the time of the
// last packet.
func perfSession(tb testing.TB, c *Conn, d *decode.Decoder, rounds int) time.Time {
	tb.Helper()
	at := perfStart
	var frame uint64
	feed := func(raw []byte, fromClient bool) {
		frame++
		at = at.Add(10 * time.Millisecond)
		c.Packet(d.Decode(raw, decode.V311), fromClient, frame, at)
	}
	feed(perfConnect(tb), true)
	feed(hexb("20020000"), false)
	feed(mqtt(0x82, []byte{0, 1}, mstr(perfPrefix+"post/reply"), []byte{0}, mstr(perfPrefix+"set"), []byte{0}), true)
	feed(hexb("900400010000"), false)
	for i := range rounds {
		feed(perfPost(i), true)
		feed(perfReply(i), false)
		feed(perfSet(i), false)
		feed(perfSetReply(i), true)
	}
	return at
}

// BenchmarkConnPostReply: a property report and its reply through
// Conn.Packet, decoding included (the decoder allocates nothing).
func BenchmarkConnPostReply(b *testing.B) {
	var c Conn
	var d decode.Decoder
	at := perfSession(b, &c, &d, 4)
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
