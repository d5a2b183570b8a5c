package benchgen

import (
	"bufio"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mqttpcap/mqttpcap/onenet"
)

// OneNETOptions size a capture shaped like the traffic mqttpcap's users
// capture: ESP8266-class devices on OneNET Studio (onenet.md §3). Each
// connection logs in with a real OneNET token (username = product, client
// id = device), subscribes to its $sys/{pid}/{dev}/thing/# topics, then
// per round posts its properties as a QoS 1 OneJSON PUBLISH; the broker
// answers with a PUBACK and, usually, the property/post/reply; now and
// then the platform sets a property and the device answers set_reply. A
// share of the connections speak MQTT 5 and use topic aliases both ways.
// Segments carry one packet, several packets, or part of one (cut anywhere,
// inside the remaining length too), as real TCP stacks send them.
type OneNETOptions struct {
	Connections int // concurrent connections, interleaved round by round
	Rounds      int // property posts per connection
	Seed        uint64
	// V5Every makes every Nth connection MQTT 5 with topic aliases (0: none).
	V5Every int
	// NoReplyEvery leaves every Nth property post without its reply (0:
	// every post is answered).
	NoReplyEvery int
	// SetEvery makes the platform set a property every Nth round (0: never).
	SetEvery int
	// Gap is the capture time between frames (default 20 µs).
	Gap time.Duration
}

// DefaultOneNET is the shape of the issue-9 benchmark: 10 % MQTT 5, one
// post in 7 unanswered, a property set every 5 rounds.
func DefaultOneNET(connections, rounds int) OneNETOptions {
	return OneNETOptions{Connections: connections, Rounds: rounds, Seed: 1, V5Every: 10, NoReplyEvery: 7, SetEvery: 5}
}

// benchKey is the (made-up) device key the tokens are signed with, so that
// --key can verify them: base64 of 32 bytes.
const benchKey = "bWFkZS11cC1rZXktZm9yLWJlbmNobWFya3MtMDAwMDA="

// BenchKey returns the access key the generated tokens verify with.
func BenchKey() string { return benchKey }

type onenetConn struct {
	conn
	product, device string
	v5              bool
	// pending holds the bytes of each direction not yet sent in a segment.
	pending [2][]byte
	pid     uint16
	post    int
	aliased [2]bool
}

// WriteOneNET writes a classic pcap (nanosecond timestamps) of OneNET
// traffic to w.
func WriteOneNET(w io.Writer, o OneNETOptions) (Stats, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	pw := pcapgo.NewWriterNanos(bw)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return Stats{}, err
	}
	if o.Gap == 0 {
		o.Gap = 20 * time.Microsecond
	}
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	g := &onenetGen{gen: gen{pw: pw, t: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)}, o: o, rng: rng}
	g.gap = o.Gap
	conns := make([]*onenetConn, o.Connections)
	et := g.t.Add(365 * 24 * time.Hour).Unix()
	for i := range conns {
		c := &onenetConn{conn: conn{client: [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}, server: [4]byte{183, 230, 40, 96},
			cport: uint16(10000 + i%50000), cseq: rng.Uint32(), sseq: rng.Uint32()},
			product: "Pr0d" + strconv.Itoa(100000+i%37), device: "esp8266_" + strconv.Itoa(i),
			v5: o.V5Every > 0 && i%o.V5Every == o.V5Every-1}
		conns[i] = c
		res := "products/" + c.product + "/devices/" + c.device
		sign, err := onenet.Sign(benchKey, et, "md5", res, "2018-10-31")
		if err != nil {
			return Stats{}, err
		}
		token := "version=2018-10-31&res=" + onenet.Encode(res) + "&et=" + strconv.FormatInt(et, 10) + "&method=md5&sign=" + onenet.Encode(sign)
		g.handshake(c)
		g.send(c, true, g.connect(c, token))
		g.flush(c, true)
		g.send(c, false, g.connack(c))
		g.flush(c, false)
		g.send(c, true, g.subscribe(c))
		g.flush(c, true)
		g.send(c, false, g.suback(c))
		g.flush(c, false)
	}
	for round := 0; round < o.Rounds; round++ {
		for _, c := range conns {
			g.round(c, round)
		}
	}
	for _, c := range conns {
		g.send(c, true, []byte{0xe0, 0x00})
		g.flush(c, true)
		g.seg(&c.conn, true, flagACK|flagFIN, nil)
		g.seg(&c.conn, false, flagACK|flagFIN, nil)
		g.seg(&c.conn, true, flagACK, nil)
	}
	if g.err == nil {
		g.err = bw.Flush()
	}
	return Stats{Frames: g.frames, MQTTPackets: g.mqtt, Bytes: g.bytes}, g.err
}

type onenetGen struct {
	gen
	o    OneNETOptions
	rng  *rand.Rand
	gap  time.Duration
	body []byte
}

func (g *onenetGen) handshake(c *onenetConn) {
	g.seg(&c.conn, true, flagSYN, nil)
	g.seg(&c.conn, false, flagSYN|flagACK, nil)
	g.seg(&c.conn, true, flagACK, nil)
}

// round is one property post with its PUBACK and (usually) its reply, and
// now and then a property set with its set_reply.
func (g *onenetGen) round(c *onenetConn, round int) {
	c.post++
	id := strconv.Itoa(c.post)
	pid := c.nextID()
	temp := 150 + g.rng.IntN(200)
	payload := `{"id":"` + id + `","version":"1.0","params":{"temperature":{"value":` + strconv.Itoa(temp/10) + "." + strconv.Itoa(temp%10) +
		`,"time":` + strconv.FormatInt(g.t.UnixMilli(), 10) + `},"humidity":{"value":` + strconv.Itoa(30+g.rng.IntN(50)) + `}}}`
	g.send(c, true, g.publish(c, 0, "property/post", 1, pid, payload))
	g.flush(c, true)
	g.send(c, false, []byte{0x40, 0x02, byte(pid >> 8), byte(pid)})
	if g.o.NoReplyEvery == 0 || c.post%g.o.NoReplyEvery != 0 {
		g.send(c, false, g.publish(c, 1, "property/post/reply", 0, 0, `{"id":"`+id+`","code":200,"msg":"success"}`))
	}
	g.flush(c, false)
	if g.o.SetEvery > 0 && round%g.o.SetEvery == g.o.SetEvery-1 {
		setID := strconv.Itoa(1000000 + c.post)
		g.send(c, false, g.publish(c, 1, "property/set", 0, 0, `{"id":"`+setID+`","version":"1.0","params":{"power":true}}`))
		g.flush(c, false)
		g.send(c, true, g.publish(c, 0, "property/set_reply", 0, 0, `{"id":"`+setID+`","code":200,"msg":"success"}`))
		g.flush(c, true)
	}
	if c.post%4 == 0 {
		g.seg(&c.conn, true, flagACK, nil)
	}
}

func (c *onenetConn) nextID() uint16 {
	c.pid++
	if c.pid == 0 {
		c.pid = 1
	}
	return c.pid
}

// send queues an MQTT packet on one direction of c.
func (g *onenetGen) send(c *onenetConn, up bool, pkt []byte) {
	d := 1
	if up {
		d = 0
	}
	c.pending[d] = append(c.pending[d], pkt...)
	g.mqtt++
}

// flush sends what is queued on one direction as TCP segments. Most of the
// time a segment carries what is queued (one packet, or several
// coalesced); one time in eight the bytes are cut in two segments at a
// random point, inside the fixed header (the remaining length split, where
// Wireshark loses sync) one time in four of those.
func (g *onenetGen) flush(c *onenetConn, up bool) {
	d := 1
	if up {
		d = 0
	}
	b := c.pending[d]
	if len(b) == 0 {
		return
	}
	if len(b) > 4 && g.rng.IntN(8) == 0 {
		cut := 1 + g.rng.IntN(len(b)-1)
		if g.rng.IntN(4) == 0 {
			cut = 1 + g.rng.IntN(2)
		}
		g.seg(&c.conn, up, flagACK|flagPSH, b[:cut])
		g.seg(&c.conn, up, flagACK|flagPSH, b[cut:])
	} else {
		g.seg(&c.conn, up, flagACK|flagPSH, b)
	}
	c.pending[d] = b[:0]
}

func (g *onenetGen) seg(c *conn, up bool, flags byte, payload []byte) {
	for len(payload) > 1460 {
		g.gen.seg(c, up, flags, payload[:1460])
		payload = payload[1460:]
	}
	g.gen.seg(c, up, flags, payload)
	g.t = g.t.Add(g.gap - 37*time.Microsecond) // gen.seg adds 37 µs
}

func (g *onenetGen) connect(c *onenetConn, token string) []byte {
	b := g.body[:0]
	b = append(b, 0, 4, 'M', 'Q', 'T', 'T')
	if c.v5 {
		b = append(b, 5, 0xc2, 0, 120)
		// Properties: Topic Alias Maximum 10 (the server may alias too).
		b = append(b, 3, 0x22, 0, 10)
	} else {
		b = append(b, 4, 0xc2, 0, 120)
	}
	b = appendStr(b, c.device)
	b = appendStr(b, c.product)
	b = appendStr(b, token)
	g.body = b
	return packet(0x10, b)
}

func (g *onenetGen) connack(c *onenetConn) []byte {
	if c.v5 {
		// Topic Alias Maximum 10.
		return []byte{0x20, 0x06, 0x00, 0x00, 0x03, 0x22, 0x00, 0x0a}
	}
	return []byte{0x20, 0x02, 0x00, 0x00}
}

func (g *onenetGen) subscribe(c *onenetConn) []byte {
	b := []byte{0, 1}
	if c.v5 {
		b = append(b, 0)
	}
	b = appendStr(b, "$sys/"+c.product+"/"+c.device+"/thing/#")
	b = append(b, 0)
	return packet(0x82, b)
}

func (g *onenetGen) suback(c *onenetConn) []byte {
	if c.v5 {
		return []byte{0x90, 0x04, 0x00, 0x01, 0x00, 0x00}
	}
	return []byte{0x90, 0x03, 0x00, 0x01, 0x00}
}

// publish builds a PUBLISH on $sys/{pid}/{dev}/thing/<fn> from dir 0
// (device) or 1 (platform). An MQTT 5 connection gives each direction's
// first topic alias 1 for its post or reply topic, and sends later ones on
// the alias alone.
func (g *onenetGen) publish(c *onenetConn, dir int, fn string, qos byte, pid uint16, payload string) []byte {
	topic := "$sys/" + c.product + "/" + c.device + "/thing/" + fn
	b := g.body[:0]
	aliased := c.v5 && (fn == "property/post" || fn == "property/post/reply")
	switch {
	case aliased && c.aliased[dir]:
		b = appendStr(b, "")
	default:
		b = appendStr(b, topic)
	}
	if qos > 0 {
		b = append(b, byte(pid>>8), byte(pid))
	}
	if c.v5 {
		if aliased {
			b = append(b, 3, 0x23, 0, 1)
			c.aliased[dir] = true
		} else {
			b = append(b, 0)
		}
	}
	b = append(b, payload...)
	g.body = b
	return packet(0x30|qos<<1, b)
}

func appendStr(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// packet is a fixed header (first byte, minimal remaining length) and body.
func packet(first byte, body []byte) []byte {
	b := make([]byte, 0, 5+len(body))
	b = append(b, first)
	n := len(body)
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n > 0 {
			c |= 0x80
		}
		b = append(b, c)
		if n == 0 {
			break
		}
	}
	return append(b, body...)
}
