package benchgen

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Transports of WriteTransport.
const (
	TCP       = "tcp"       // MQTT straight on TCP, port 1883
	WebSocket = "websocket" // MQTT in masked binary WebSocket frames, port 8080
	TLS13     = "tls13"     // TLS 1.3 (AES-128-GCM), port 8883
	TLS12     = "tls12"     // TLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305, port 8883
)

// WriteTransport writes a capture of the same MQTT sessions (Options: a
// CONNECT, a CONNACK, QoS 0 PUBLISHes of 25-40 bytes, each its own write,
// a DISCONNECT, per connection, interleaved) carried over one transport,
// so that the cost of a transport is the difference in reading them. The
// TLS sessions are real ones (crypto/tls between a client and a server in
// memory, one record per write); their secrets are written to keylog in
// the NSS format. Payloads and interleaving depend on Options.Seed only;
// the TLS bytes differ from run to run.
func WriteTransport(w io.Writer, keylog io.Writer, o Options, transport string) (Stats, error) {
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return Stats{}, err
	}
	rng := mrand.New(mrand.NewPCG(o.Seed, 42))
	g := &gen{pw: pw, t: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)}
	port := map[string]uint16{TCP: 1883, WebSocket: 8080, TLS13: 8883, TLS12: 8883}[transport]
	var cert tls.Certificate
	if transport == TLS13 || transport == TLS12 {
		var err error
		if cert, err = selfSigned(); err != nil {
			return Stats{}, err
		}
	}
	// Each connection's segments, in order: (direction, payload).
	type seg struct {
		up   bool
		data []byte
	}
	conns := make([]*conn, o.Connections)
	segs := make([][]seg, o.Connections)
	payload := make([]byte, 40)
	for i := range conns {
		conns[i] = &conn{client: [4]byte{10, 0, byte(i >> 8), byte(i)}, server: [4]byte{10, 1, 0, 1},
			cport: uint16(20000 + i), sport: port, cseq: rng.Uint32(), sseq: rng.Uint32()}
		msgs := [][]byte{mqttConnect("bench-" + strconv.Itoa(i))}
		for range o.Publishes {
			n := 25 + rng.IntN(16)
			for j := range payload[:n] {
				payload[j] = 'a' + byte(rng.IntN(26))
			}
			msgs = append(msgs, mqttPublish("sensors/"+strconv.Itoa(20000+i%97)+"/temperature", payload[:n]))
		}
		msgs = append(msgs, []byte{0xe0, 0x00})
		switch transport {
		case TCP:
			segs[i] = append(segs[i], seg{true, msgs[0]}, seg{false, []byte{0x20, 0x02, 0x00, 0x00}})
			for _, m := range msgs[1:] {
				segs[i] = append(segs[i], seg{true, m})
			}
		case WebSocket:
			segs[i] = append(segs[i], seg{true, []byte("GET /mqtt HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
				"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n")},
				seg{false, []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
					"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n")})
			segs[i] = append(segs[i], seg{true, wsFrame(msgs[0], rng)}, seg{false, append([]byte{0x82, 4}, 0x20, 0x02, 0x00, 0x00)})
			for _, m := range msgs[1:] {
				segs[i] = append(segs[i], seg{true, wsFrame(m, rng)})
			}
		default:
			writes, err := tlsSession(cert, transport, keylog, msgs)
			if err != nil {
				return Stats{}, err
			}
			for _, wr := range writes {
				segs[i] = append(segs[i], seg(wr))
			}
		}
	}
	for _, c := range conns {
		g.seg(c, true, flagSYN, nil)
		g.seg(c, false, flagSYN|flagACK, nil)
		g.seg(c, true, flagACK, nil)
	}
	// Round robin: one write of each connection in turn.
	for k := 0; ; k++ {
		wrote := false
		for i, c := range conns {
			if k >= len(segs[i]) {
				continue
			}
			wrote = true
			s := segs[i][k]
			for data := s.data; len(data) > 0; {
				n := min(len(data), 1448)
				g.seg(c, s.up, flagACK|flagPSH, data[:n])
				data = data[n:]
			}
			if s.up {
				if c.sent++; c.sent%4 == 0 {
					g.seg(c, false, flagACK, nil)
				}
			}
		}
		if !wrote {
			break
		}
	}
	for _, c := range conns {
		g.seg(c, true, flagACK|flagFIN, nil)
		g.seg(c, false, flagACK|flagFIN, nil)
	}
	g.mqtt = o.Connections * (o.Publishes + 3)
	return Stats{Frames: g.frames, MQTTPackets: g.mqtt, Bytes: g.bytes}, g.err
}

// wsFrame is a masked binary WebSocket frame (the client's) around b.
func wsFrame(b []byte, rng *mrand.Rand) []byte {
	var key [4]byte
	binary.LittleEndian.PutUint32(key[:], rng.Uint32())
	out := []byte{0x82, 0x80 | byte(len(b))}
	if len(b) >= 126 {
		out = append(out[:1], 0x80|126, byte(len(b)>>8), byte(len(b)))
	}
	out = append(out, key[:]...)
	for i, c := range b {
		out = append(out, c^key[i&3])
	}
	return out
}

// write is one write of a TLS session: its direction and bytes.
type write struct {
	up   bool
	data []byte
}

// recorder keeps what one end of the in-memory connection writes.
type recorder struct {
	net.Conn
	up     bool
	mu     *sync.Mutex
	writes *[]write
}

func (r *recorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	*r.writes = append(*r.writes, write{r.up, append([]byte(nil), b...)})
	r.mu.Unlock()
	return r.Conn.Write(b)
}

// tlsSession runs a real TLS session in memory: the client writes each
// message in turn, the server answers the CONNECT with a CONNACK. It
// returns every write of both ends, in order.
func tlsSession(cert tls.Certificate, version string, keylog io.Writer, msgs [][]byte) ([]write, error) {
	a, b := net.Pipe()
	var mu sync.Mutex
	var writes []write
	ccfg := &tls.Config{InsecureSkipVerify: true, KeyLogWriter: keylog, ServerName: "bench"}
	scfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	if version == TLS12 {
		ccfg.MaxVersion = tls.VersionTLS12
		ccfg.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}
	}
	client := tls.Client(&recorder{a, true, &mu, &writes}, ccfg)
	server := tls.Server(&recorder{b, false, &mu, &writes}, scfg)
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 1<<16)
		if _, err := server.Read(buf); err != nil { // the CONNECT
			done <- err
			return
		}
		if _, err := server.Write([]byte{0x20, 0x02, 0x00, 0x00}); err != nil {
			done <- err
			return
		}
		for {
			if _, err := server.Read(buf); err != nil {
				done <- nil
				return
			}
		}
	}()
	for _, m := range msgs {
		if _, err := client.Write(m); err != nil {
			return nil, err
		}
		if m[0] == 0x10 {
			// Read the CONNACK (and the tickets before it).
			var ack [4]byte
			if _, err := io.ReadFull(client, ack[:]); err != nil {
				return nil, err
			}
		}
	}
	a.Close()
	if err := <-done; err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	return writes, nil
}

// selfSigned makes a throwaway ECDSA P-256 certificate for the server.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench"}, DNSNames: []string{"bench"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
