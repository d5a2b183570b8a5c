// Command craftpcaps writes the crafted test captures of testdata/pcaps:
// TCP and IP situations a real network stack cannot be made to produce on
// demand (SYN retries answered by RST, a port reused while its connection
// is open, an ACK captured before the data it acknowledges, fragments,
// pcapng sections), and traffic that is not MQTT on MQTT ports. Every
// segment is written with pcapcraft, so the files are the same on every
// run; the README section that describes them is generated with them.
//
// Usage:
//
//	go run ./internal/testtools/craftpcaps -out testdata/pcaps -readme testdata/pcaps/README.md
//
// -readme rewrites the "Crafted captures" section at the end of the README
// (record.sh calls this after writing the recorded captures' part).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	pc "github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
)

// crafted is one capture and what it shows.
type crafted struct {
	name  string
	about string
	build func() []byte
}

func main() {
	out := flag.String("out", "testdata/pcaps", "directory to write the captures to")
	readme := flag.String("readme", "", "README.md whose crafted-captures section to rewrite")
	flag.Parse()
	if err := run(*out, *readme); err != nil {
		fmt.Fprintf(os.Stderr, "craftpcaps: %v\n", err)
		os.Exit(1)
	}
}

func run(out, readme string) error {
	var lines []string
	for _, c := range captures {
		data := c.build()
		if err := os.WriteFile(filepath.Join(out, c.name), data, 0o644); err != nil {
			return err
		}
		lines = append(lines, "- **"+c.name+"** ("+strconv.Itoa(len(data))+" bytes): "+c.about)
	}
	if readme == "" {
		return nil
	}
	old, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	const head = "## Crafted captures\n"
	text := string(old)
	if i := strings.Index(text, head); i >= 0 {
		text = text[:i]
	}
	text = strings.TrimRight(text, "\n") + "\n\n" + head + "\n" + intro + "\n\n" + strings.Join(lines, "\n") + "\n"
	return os.WriteFile(readme, []byte(text), 0o644)
}

const intro = `Written segment by segment by ` + "`internal/testtools/craftpcaps`" + ` (with ` + "`internal/testutil/pcapcraft`" + `:
Ethernet, IPv4/IPv6, TCP with correct checksums, 1 ms between frames unless said), for what a real
network stack cannot be made to do on demand. They are the same on every run:
` + "`go run ./internal/testtools/craftpcaps -out testdata/pcaps -readme testdata/pcaps/README.md`" + `
rewrites them and this section (record.sh does too). Frame numbers are tshark's; tcp.stream numbers
are tshark 4.0.17's, which the tests compare with mqttpcap's.`

var captures = []crafted{
	{"syn-retries.pcap", "a client retries its SYN to port 1883 five times with the same initial sequence number, each answered by RST (broker down; frames 1-10, all tcp.stream 0 in Wireshark), a second client twice (frames 11-14, stream 1); then a third client connects and has a session (CONNECT client id retry, CONNACK, QoS 1 PUBLISH retry/t, PUBACK, DISCONNECT, FIN; stream 2), and the first client's port comes back with another initial sequence number (a new stream 3: CONNECT, CONNACK, DISCONNECT, FIN).", synRetries},
	{"port-reuse.pcap", "a device on 10.1.1.2:49153 (lwIP starts at the same port after a reboot) has a session (CONNECT dev, CONNACK, QoS 0 PUBLISH dev/up 'before', frames 1-7, stream 0) and, 5 s later with no FIN or RST, starts over from the same port with another initial sequence number (frames 8-17: CONNECT, CONNACK, PUBLISH 'after', DISCONNECT, FIN): Wireshark's stream 1, while the old connection was still open. Then 10.1.1.3:40000 has a session closed by FIN both ways (frames 18-27, stream 2), and a second one from the same port with the same initial sequence number (frames 28-37): Wireshark keeps it in stream 2 and takes its data for retransmissions (it decodes none of it); mqttpcap decodes it as a second connection of stream 2.", portReuse},
	{"ack-before-data.pcap", "what `tcpdump -i any` often writes: a receiver's ACK before the data segment it acknowledges. The client's CONNECT (ack-first) and SUBSCRIBE (a/b) leave in two segments; the capture holds the SUBSCRIBE (frame 4), the broker's ACK of both (frame 5), then the CONNECT (frame 6). The broker's CONNACK and SUBACK likewise: SUBACK (frame 7), the client's ACK of both (frame 8), CONNACK (frame 9). Then QoS 0 PUBLISH a/b 'hi' (frame 10), DISCONNECT and FIN. Every packet is there; tshark reports 'ACKed unseen segment' and 'previous segment not captured' and does not decode the late segments.", ackBeforeData},
	{"not-mqtt.pcap", "connections to the MQTT ports that do not speak MQTT, each answered as a real service would: nmap-style HEAD / HTTP/1.1 to 8883, answered by RST (stream 0); a real MQTT CONNECT to 1883 answered by an HTTP proxy's HTTP/1.1 400 Bad Request (stream 1); an SSH client's banner to 1883 (stream 2); a text command EHLO scanner to 1883 (stream 3); SMB-like binary bytes to 8883 (stream 4); and one real MQTT session (CONNECT fine, CONNACK, DISCONNECT; stream 5).", notMQTT},
	{"websocket-80.pcap", "MQTT over WebSocket on port 80: GET /mqtt HTTP/1.1 with Upgrade: websocket and Sec-WebSocket-Protocol: mqtt, HTTP/1.1 101 Switching Protocols, then WebSocket binary frames (masked from the client) carrying CONNECT ws, CONNACK, SUBSCRIBE ws/#, SUBACK, QoS 0 PUBLISH ws/t 'over websocket' and DISCONNECT. Port 80 is not an MQTT port: nothing is MQTT by default; with --port 80 the connection is named a WebSocket upgrade.", websocket},
	{"no-mqtt.pcap", "no MQTT at all: two HTTP connections to port 80 (GET / and its 200 answer), one TLS connection to 443 (a ClientHello) and one SSH connection to 22 (the server's banner).", noMQTT},
	{"resync-lost-segment.pcap", "a QoS 0 PUBLISH of 303 bytes (topic t) whose payload is full of bytes that look like fixed headers (01 32 00 05 repeated) leaves in four segments; the first (60 bytes, with the fixed header) was never captured, though the broker acknowledges it with the next (frame 7); the other three segments (frames 6, 8 and 9, 15 ms apart, so each reaches the decoder on its own) are what a decoder resynchronising must skip, one run of 246 bytes, up to the next real packet: QoS 0 PUBLISH t 'x' (frame 10), then PINGREQ, PINGRESP, DISCONNECT and the close. tshark decodes made-up packets of types 0 and 3 in frames 6-10.", resync},
	{"ip-fragments.pcap", "MQTT over fragmented IP: over IPv4 (10.3.0.2 → 10.3.0.1:1883, frames 1-14), a CONNECT and a QoS 0 PUBLISH of 1,500 bytes whose segment is split into four IP fragments of at most 400 bytes, the last written first (frames 6-9: the PUBLISH is complete in frame 9), then DISCONNECT and the close; then over IPv6 (2001:db8::2 → [2001:db8::1]:1883, frames 15-28), the same with the fragments in reverse order (frames 20-23).", fragments},
	{"sections.pcapng", "two pcapng sections, as cat of two captures gives: each has one interface, number 0, and holds the same session (CONNECT sect, CONNACK, QoS 0 PUBLISH s/t 'one', DISCONNECT, FIN) seen from each end. tshark gives both copies tcp.stream 0; mqttpcap decodes them as two connections of stream 0, on interfaces 0 and 1.", sections},
}

func synRetries() []byte {
	c := pc.New()
	syn := func(k *pc.Conn, isn uint32) {
		c.TCP(pc.Segment{Src: k.Client, Dst: k.Server, Seq: isn, Flags: pc.SYN, Window: 64240})
		c.TCP(pc.Segment{Src: k.Server, Dst: k.Client, Ack: isn + 1, Flags: pc.RST | pc.ACK})
	}
	a := c.Conn("192.168.1.10:50000", "192.168.1.20:1883", 0x1000, 0)
	for range 5 {
		syn(a, 0x1000)
	}
	b := c.Conn("192.168.1.10:50001", "192.168.1.20:1883", 0x2000, 0)
	for range 2 {
		syn(b, 0x2000)
	}
	k := c.Conn("192.168.1.10:50002", "192.168.1.20:1883", 0x3000, 0x9000)
	k.Handshake()
	k.Send(true, connect("retry"))
	k.Send(false, connack())
	k.Send(true, publish("retry/t", "hello", 1, 1))
	k.Send(false, puback(1))
	k.Send(true, disconnect())
	k.Close()
	a2 := c.Conn("192.168.1.10:50000", "192.168.1.20:1883", 0x4000, 0xa000)
	a2.Handshake()
	a2.Send(true, connect("again"))
	a2.Send(false, connack())
	a2.Send(true, disconnect())
	a2.Close()
	return c.Pcap()
}

func portReuse() []byte {
	c := pc.New()
	k := c.Conn("10.1.1.2:49153", "10.1.1.1:1883", 5000, 70000)
	k.Handshake()
	k.Send(true, connect("dev"))
	k.Send(false, connack())
	k.Send(true, publish("dev/up", "before", 0, 0))
	k.Ack(false)
	c.Advance(5_000_000_000) // the device reboots
	k2 := c.Conn("10.1.1.2:49153", "10.1.1.1:1883", 9000, 80000)
	k2.Handshake()
	k2.Send(true, connect("dev"))
	k2.Send(false, connack())
	k2.Send(true, publish("dev/up", "after", 0, 0))
	k2.Send(true, disconnect())
	k2.Close()
	for range 2 {
		k3 := c.Conn("10.1.1.3:40000", "10.1.1.1:1883", 111, 222)
		k3.Handshake()
		k3.Send(true, connect("same"))
		k3.Send(false, connack())
		k3.Ack(true)
		k3.Send(true, disconnect())
		k3.Close()
	}
	return c.Pcap()
}

func ackBeforeData() []byte {
	c := pc.New()
	k := c.Conn("10.2.0.2:41000", "10.2.0.1:1883", 1000, 5000)
	k.Handshake()
	cn, sub := connect("ack-first"), subscribe(1, "a/b", 0)
	segA := k.Make(true, pc.PSH|pc.ACK, cn)
	k.Seq[0] += uint32(len(cn))
	segB := k.Make(true, pc.PSH|pc.ACK, sub)
	k.Seq[0] += uint32(len(sub))
	c.TCP(segB)
	k.Ack(false)
	c.TCP(segA)
	ca, sa := connack(), suback(1, 0)
	segC := k.Make(false, pc.PSH|pc.ACK, ca)
	k.Seq[1] += uint32(len(ca))
	segD := k.Make(false, pc.PSH|pc.ACK, sa)
	k.Seq[1] += uint32(len(sa))
	c.TCP(segD)
	k.Ack(true)
	c.TCP(segC)
	k.Send(true, publish("a/b", "hi", 0, 0))
	k.Send(true, disconnect())
	k.Close()
	return c.Pcap()
}

func notMQTT() []byte {
	c := pc.New()
	head := c.Conn("172.16.0.9:45000", "172.16.0.1:8883", 100, 200)
	head.Handshake()
	head.Send(true, []byte("HEAD / HTTP/1.1\r\n\r\n"))
	head.Seg(false, pc.RST|pc.ACK, nil)
	proxy := c.Conn("172.16.0.5:45001", "172.16.0.1:1883", 300, 400)
	proxy.Handshake()
	proxy.Send(true, connect("behind-proxy"))
	proxy.Send(false, []byte("HTTP/1.1 400 Bad Request\r\nServer: squid\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
	proxy.Close()
	ssh := c.Conn("172.16.0.9:45002", "172.16.0.1:1883", 500, 600)
	ssh.Handshake()
	ssh.Send(true, []byte("SSH-2.0-libssh2_1.10.0\r\n"))
	ssh.Seg(false, pc.RST|pc.ACK, nil)
	text := c.Conn("172.16.0.9:45003", "172.16.0.1:1883", 700, 800)
	text.Handshake()
	text.Send(true, []byte("EHLO scanner\r\n"))
	text.Seg(false, pc.RST|pc.ACK, nil)
	bin := c.Conn("172.16.0.9:45004", "172.16.0.1:8883", 900, 1000)
	bin.Handshake()
	bin.Send(true, []byte("\x00\x00\x00\x2c\xffSMBr\x00\x00\x00\x00\x18\x53\xc8"))
	bin.Seg(false, pc.RST|pc.ACK, nil)
	ok := c.Conn("172.16.0.5:45005", "172.16.0.1:1883", 1100, 1200)
	ok.Handshake()
	ok.Send(true, connect("fine"))
	ok.Send(false, connack())
	ok.Send(true, disconnect())
	ok.Close()
	return c.Pcap()
}

func websocket() []byte {
	c := pc.New()
	k := c.Conn("10.4.0.2:52000", "10.4.0.1:80", 1, 1)
	k.Handshake()
	k.Send(true, []byte("GET /mqtt HTTP/1.1\r\nHost: 10.4.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Version: 13\r\n\r\n"))
	k.Send(false, []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"))
	k.Send(true, wsFrame(connect("ws"), true))
	k.Send(false, wsFrame(connack(), false))
	k.Send(true, wsFrame(subscribe(1, "ws/#", 0), true))
	k.Send(false, wsFrame(suback(1, 0), false))
	k.Send(true, wsFrame(publish("ws/t", "over websocket", 0, 0), true))
	k.Send(true, wsFrame(disconnect(), true))
	k.Close()
	return c.Pcap()
}

func noMQTT() []byte {
	c := pc.New()
	for i := range 2 {
		k := c.Conn("192.168.7.2:5100"+strconv.Itoa(i), "192.168.7.1:80", 10, 20)
		k.Handshake()
		k.Send(true, []byte("GET / HTTP/1.1\r\nHost: 192.168.7.1\r\n\r\n"))
		k.Send(false, []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
		k.Close()
	}
	tls := c.Conn("192.168.7.2:51010", "192.168.7.1:443", 30, 40)
	tls.Handshake()
	tls.Send(true, []byte("\x16\x03\x01\x00\x2e\x01\x00\x00\x2a\x03\x03"+strings.Repeat("\x00", 32)+"\x00\x00\x02\x13\x01\x01\x00"))
	tls.Close()
	ssh := c.Conn("192.168.7.2:51011", "192.168.7.1:22", 50, 60)
	ssh.Handshake()
	ssh.Send(false, []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"))
	ssh.Close()
	return c.Pcap()
}

func resync() []byte {
	c := pc.New()
	k := c.Conn("10.5.0.2:43000", "10.5.0.1:1883", 1000, 5000)
	k.Handshake()
	k.Send(true, connect("resync"))
	k.Send(false, connack())
	pub := publish("t", strings.Repeat("\x01\x32\x00\x05", 75), 0, 0)
	k.Seq[0] += 60 // the first 60 bytes, with the fixed header, were never captured
	for i, part := range [][]byte{pub[60:120], pub[120:200], pub[200:]} {
		k.Send(true, part)
		if i == 0 {
			k.Ack(false) // the broker got everything so far
		}
		c.Advance(15 * time.Millisecond) // each part reaches the decoder on its own
	}
	k.Send(true, publish("t", "x", 0, 0))
	k.Ack(false)
	k.Send(true, []byte{0xc0, 0x00})
	k.Send(false, []byte{0xd0, 0x00})
	k.Send(true, disconnect())
	k.Close()
	return c.Pcap()
}

func fragments() []byte {
	c := pc.New()
	for _, v := range []struct {
		cli, srv string
		order    []int
	}{
		{"10.3.0.2:44000", "10.3.0.1:1883", []int{3, 0, 1, 2}},
		{"[2001:db8::2]:44001", "[2001:db8::1]:1883", []int{3, 2, 1, 0}},
	} {
		k := c.Conn(v.cli, v.srv, 1000, 5000)
		k.Handshake()
		k.Send(true, connect("frag"))
		k.Send(false, connack())
		pub := publish("frag/t", strings.Repeat("fragmented payload ", 79)[:1500], 0, 0)
		c.TCPFragments(k.Make(true, pc.PSH|pc.ACK, pub), 400, v.order)
		k.Seq[0] += uint32(len(pub))
		k.Ack(false)
		k.Send(true, disconnect())
		k.Close()
	}
	return c.Pcap()
}

func sections() []byte {
	c := pc.New()
	for sec := range 2 {
		c.Section = sec
		k := c.Conn("10.6.0.2:46000", "10.6.0.1:1883", 1000, 5000)
		k.Handshake()
		k.Send(true, connect("sect"))
		k.Send(false, connack())
		k.Send(true, publish("s/t", "one", 0, 0))
		k.Send(true, disconnect())
		k.Close()
	}
	return c.Pcapng([]int{1, 1})
}
