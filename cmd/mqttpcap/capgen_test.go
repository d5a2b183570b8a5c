package main

import (
	"bufio"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mqttpcap/mqttpcap/decode"
)

// capGen writes synthetic Ethernet/IPv4/TCP captures for the situations the
// recorded captures of testdata/pcaps lack: MQTT 5.0 authentication data,
// frame numbers past 1,000,000 and streams past 10,000 (which a committed
// file of a few KB cannot hold), a 700-character client id. The output is
// deterministic: the same calls write the same bytes.
type capGen struct {
	tb     testing.TB
	f      *os.File
	bw     *bufio.Writer
	w      *pcapgo.Writer
	t      time.Time
	step   time.Duration // added to the time before each frame
	frames int
	buf    []byte
}

// genConn is one TCP connection of a generated capture.
type genConn struct {
	client, server [4]byte
	cport, sport   uint16
	cseq, sseq     uint32
}

const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpPSH = 0x08
	tcpACK = 0x10
)

// newCapGen creates a pcap (microsecond timestamps) in the test's temporary
// directory, starting at start; close returns its path.
func newCapGen(tb testing.TB, name string, start time.Time) *capGen {
	tb.Helper()
	f, err := os.Create(filepath.Join(tb.TempDir(), name))
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := pcapgo.NewWriter(bw)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		tb.Fatal(err)
	}
	return &capGen{tb: tb, f: f, bw: bw, w: w, t: start, step: 100 * time.Microsecond}
}

// close finishes the file and returns its path.
func (g *capGen) close() string {
	g.tb.Helper()
	if err := g.bw.Flush(); err != nil {
		g.tb.Fatal(err)
	}
	if err := g.f.Close(); err != nil {
		g.tb.Fatal(err)
	}
	return g.f.Name()
}

func (g *capGen) frame(b []byte) {
	g.t = g.t.Add(g.step)
	g.frames++
	if err := g.w.WritePacket(gopacket.CaptureInfo{Timestamp: g.t, CaptureLength: len(b), Length: len(b)}, b); err != nil {
		g.tb.Fatal(err)
	}
}

// filler writes n frames that are not IP (an Ethernet header with a local
// experimental EtherType): they count as frames and are skipped.
func (g *capGen) filler(n int) {
	b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5}
	for range n {
		g.frame(b)
	}
}

// seg writes one segment of c, client→server when fromClient.
func (g *capGen) seg(c *genConn, fromClient bool, flags byte, payload []byte) {
	b := append(g.buf[:0], make([]byte, 54)...)
	b = append(b, payload...)
	g.buf = b
	src, dst, sport, dport := c.client, c.server, c.cport, c.sport
	seq, ack := &c.cseq, c.sseq
	if !fromClient {
		src, dst, sport, dport = dst, src, dport, sport
		seq, ack = &c.sseq, c.cseq
	}
	copy(b[0:6], []byte{2, 0, 0, 0, 0, 2})
	copy(b[6:12], []byte{2, 0, 0, 0, 0, 1})
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:34]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(40+len(payload)))
	ip[8], ip[9] = 64, 6
	copy(ip[12:16], src[:])
	copy(ip[16:20], dst[:])
	tcp := b[34:54]
	binary.BigEndian.PutUint16(tcp[0:], sport)
	binary.BigEndian.PutUint16(tcp[2:], dport)
	binary.BigEndian.PutUint32(tcp[4:], *seq)
	if flags&tcpACK != 0 {
		binary.BigEndian.PutUint32(tcp[8:], ack)
	}
	tcp[12], tcp[13] = 5<<4, flags
	binary.BigEndian.PutUint16(tcp[14:], 65535)
	*seq += uint32(len(payload))
	if flags&(tcpSYN|tcpFIN) != 0 {
		*seq++
	}
	g.frame(b)
}

// open writes c's handshake.
func (g *capGen) open(c *genConn) {
	g.seg(c, true, tcpSYN, nil)
	g.seg(c, false, tcpSYN|tcpACK, nil)
	g.seg(c, true, tcpACK, nil)
}

// shut writes c's FINs, the client's first.
func (g *capGen) shut(c *genConn) {
	g.seg(c, true, tcpFIN|tcpACK, nil)
	g.seg(c, false, tcpFIN|tcpACK, nil)
	g.seg(c, true, tcpACK, nil)
}

// send writes each packet in a segment of its own.
func (g *capGen) send(c *genConn, fromClient bool, pkts ...*decode.Packet) {
	g.tb.Helper()
	for _, p := range pkts {
		raw, err := decode.Encode(p)
		if err != nil {
			g.tb.Fatalf("encode %v: %v", p.Type, err)
		}
		g.seg(c, fromClient, tcpPSH|tcpACK, raw)
	}
}

// Packets for the generated sessions.

func genConnect(v decode.Version, clientID, username, password string, props ...decode.Property) *decode.Packet {
	p := &decode.Packet{Type: decode.CONNECT, Version: v, ProtocolName: []byte("MQTT"), ProtocolLevel: uint8(v),
		KeepAlive: 60, CleanSession: true, ClientID: []byte(clientID)}
	if username != "" {
		p.UsernameFlag, p.Username = true, []byte(username)
	}
	if password != "" {
		p.PasswordFlag, p.Password = true, []byte(password)
	}
	p.Properties = decode.Properties{Present: v == decode.V5, List: props}
	p.SetConnectFlags()
	return p
}

func genConnack(v decode.Version, code uint8, props ...decode.Property) *decode.Packet {
	return &decode.Packet{Type: decode.CONNACK, Version: v, HasReasonCode: true, ReasonCode: code,
		Properties: decode.Properties{Present: v == decode.V5, List: props}}
}

func genPublish(v decode.Version, topic, payload string, qos uint8, id uint16) *decode.Packet {
	p := &decode.Packet{Type: decode.PUBLISH, Version: v, Topic: []byte(topic), Payload: []byte(payload), QoS: qos,
		PacketID: id, HasPacketID: qos > 0, Properties: decode.Properties{Present: v == decode.V5}}
	p.SetPublishFlags()
	return p
}

func genAck(v decode.Version, t decode.Type, id uint16) *decode.Packet {
	p := &decode.Packet{Type: t, Version: v, PacketID: id, HasPacketID: true}
	if t == decode.PUBREL {
		p.Flags = 0x02
	}
	return p
}

func genSubscribe(v decode.Version, id uint16, topic string, qos uint8) *decode.Packet {
	return &decode.Packet{Type: decode.SUBSCRIBE, Version: v, Flags: 0x02, PacketID: id, HasPacketID: true,
		Subscriptions: []decode.Subscription{{Topic: []byte(topic), Options: qos, QoS: qos}},
		Properties:    decode.Properties{Present: v == decode.V5}}
}

func genSuback(v decode.Version, id uint16, codes ...uint8) *decode.Packet {
	return &decode.Packet{Type: decode.SUBACK, Version: v, PacketID: id, HasPacketID: true, ReasonCodes: codes,
		Properties: decode.Properties{Present: v == decode.V5}}
}

func genDisconnect(v decode.Version) *decode.Packet {
	return &decode.Packet{Type: decode.DISCONNECT, Version: v}
}

func genAuth(code uint8, props ...decode.Property) *decode.Packet {
	return &decode.Packet{Type: decode.AUTH, Version: decode.V5, HasReasonCode: true, ReasonCode: code,
		Properties: decode.Properties{Present: true, List: props}}
}

func authMethod(s string) decode.Property {
	return decode.Property{ID: decode.PropAuthenticationMethod, Data: []byte(s)}
}

func authData(b string) decode.Property {
	return decode.Property{ID: decode.PropAuthenticationData, Data: []byte(b)}
}
