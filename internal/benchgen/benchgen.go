// Package benchgen writes large synthetic MQTT captures for benchmarks: many
// interleaved MQTT 3.1.1 connections over Ethernet/IPv4/TCP, each opening
// with a handshake and a CONNECT, then QoS 0 PUBLISH packets of 25-40 byte
// payloads one per segment, a pure ACK every 4th segment, and a FIN at the
// end. The output is deterministic for given options.
package benchgen

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Options size the capture.
type Options struct {
	Connections int // concurrent connections
	Publishes   int // PUBLISH packets per connection
	Seed        uint64
}

// Stats says what was written.
type Stats struct {
	Frames      int
	MQTTPackets int
	Bytes       int64
}

type conn struct {
	client, server [4]byte
	cport          uint16
	sport          uint16 // the server's port: 1883 when 0
	cseq, sseq     uint32
	sent           int
}

// Write writes a classic pcap (nanosecond timestamps) to w.
func Write(w io.Writer, o Options) (Stats, error) {
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return Stats{}, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 42))
	g := &gen{pw: pw, t: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)}
	conns := make([]*conn, o.Connections)
	for i := range conns {
		c := &conn{client: [4]byte{10, 0, byte(i >> 8), byte(i)}, server: [4]byte{10, 1, 0, 1},
			cport: uint16(20000 + i), cseq: rng.Uint32(), sseq: rng.Uint32()}
		conns[i] = c
		// 10 % of the connections wrap their sequence numbers mid-capture.
		if i%10 == 0 {
			c.cseq = 0xffffffff - uint32(o.Publishes*20)
		}
		g.seg(c, true, flagSYN, nil)
		g.seg(c, false, flagSYN|flagACK, nil)
		g.seg(c, true, flagACK, nil)
		connect := mqttConnect("bench-" + strconv.Itoa(i))
		g.seg(c, true, flagACK|flagPSH, connect)
		g.seg(c, false, flagACK|flagPSH, []byte{0x20, 0x02, 0x00, 0x00})
		g.mqtt += 2
	}
	payload := make([]byte, 40)
	for round := 0; round < o.Publishes; round++ {
		for _, c := range conns {
			n := 25 + rng.IntN(16)
			for j := range payload[:n] {
				payload[j] = 'a' + byte(rng.IntN(26))
			}
			g.seg(c, true, flagACK|flagPSH, mqttPublish("sensors/"+strconv.Itoa(int(c.cport)%97)+"/temperature", payload[:n]))
			g.mqtt++
			if c.sent++; c.sent%4 == 0 {
				g.seg(c, false, flagACK, nil)
			}
		}
	}
	for _, c := range conns {
		g.seg(c, true, flagACK|flagPSH, []byte{0xe0, 0x00})
		g.mqtt++
		g.seg(c, true, flagACK|flagFIN, nil)
		g.seg(c, false, flagACK|flagFIN, nil)
	}
	return Stats{Frames: g.frames, MQTTPackets: g.mqtt, Bytes: g.bytes}, g.err
}

const (
	flagFIN = 0x01
	flagSYN = 0x02
	flagPSH = 0x08
	flagACK = 0x10
)

type gen struct {
	pw     *pcapgo.Writer
	t      time.Time
	buf    [1600]byte
	frames int
	mqtt   int
	bytes  int64
	err    error
}

// seg writes one Ethernet/IPv4/TCP segment of c, client→server when up.
func (g *gen) seg(c *conn, up bool, flags byte, payload []byte) {
	if g.err != nil {
		return
	}
	b := g.buf[:14+20+20+len(payload)]
	src, dst, sport, dport := c.client, c.server, c.cport, uint16(1883)
	if c.sport != 0 {
		dport = c.sport
	}
	seq, ack := &c.cseq, c.sseq
	if !up {
		src, dst, sport, dport = dst, src, dport, sport
		seq, ack = &c.sseq, c.cseq
	}
	copy(b[0:6], []byte{2, 0, 0, 0, 0, 2})
	copy(b[6:12], []byte{2, 0, 0, 0, 0, 1})
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:34]
	ip[0], ip[1] = 0x45, 0
	binary.BigEndian.PutUint16(ip[2:], uint16(40+len(payload)))
	binary.BigEndian.PutUint32(ip[4:], 0x40000000)
	ip[8], ip[9] = 64, 6
	ip[10], ip[11] = 0, 0
	copy(ip[12:16], src[:])
	copy(ip[16:20], dst[:])
	tcp := b[34:54]
	binary.BigEndian.PutUint16(tcp[0:], sport)
	binary.BigEndian.PutUint16(tcp[2:], dport)
	binary.BigEndian.PutUint32(tcp[4:], *seq)
	if flags&flagACK != 0 {
		binary.BigEndian.PutUint32(tcp[8:], ack)
	} else {
		binary.BigEndian.PutUint32(tcp[8:], 0)
	}
	tcp[12], tcp[13] = 5<<4, flags
	binary.BigEndian.PutUint16(tcp[14:], 65535)
	tcp[16], tcp[17], tcp[18], tcp[19] = 0, 0, 0, 0
	copy(b[54:], payload)
	*seq += uint32(len(payload))
	if flags&(flagSYN|flagFIN) != 0 {
		*seq++
	}
	g.t = g.t.Add(37 * time.Microsecond)
	ci := gopacket.CaptureInfo{Timestamp: g.t, CaptureLength: len(b), Length: len(b)}
	g.err = g.pw.WritePacket(ci, b)
	g.frames++
	g.bytes += int64(len(b))
}

func mqttConnect(clientID string) []byte {
	body := []byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, byte(len(clientID))}
	body = append(body, clientID...)
	return append([]byte{0x10, byte(len(body))}, body...)
}

func mqttPublish(topic string, payload []byte) []byte {
	n := 2 + len(topic) + len(payload)
	b := []byte{0x30, byte(n), 0, byte(len(topic))}
	b = append(b, topic...)
	return append(b, payload...)
}
