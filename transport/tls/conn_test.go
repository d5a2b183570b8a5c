package tls

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/internal/testutil"
	"github.com/mqttpcap/mqttpcap/transport"
)

const pcaps = "../../testdata/pcaps"

// session is what a TLS layer made of a capture's first connection.
type session struct {
	out    [2]transport.Bytes
	events []transport.Event
}

// decrypt runs the connection of a capture through a Conn, each delivery
// cut into pieces of at most piece bytes (0: whole).
func decrypt(t *testing.T, name string, keys Keys, piece int) *session {
	t.Helper()
	streams := testutil.Streams(t, filepath.Join(pcaps, name))
	if len(streams) == 0 {
		t.Fatalf("%s: no connection", name)
	}
	c := New(keys)
	s := &session{}
	for _, dl := range streams[0].Deliveries {
		d := transport.ServerToClient
		if dl.FromClient {
			d = transport.ClientToServer
		}
		if dl.Gap > 0 {
			c.Gap(d, dl.Gap, dl.Frames[0], dl.Times[0], &s.out, &s.events)
			continue
		}
		for from := 0; from < len(dl.Data); {
			to := len(dl.Data)
			if piece > 0 {
				to = min(from+piece, to)
			}
			part := testutil.Delivery{Data: dl.Data[from:to], Frames: dl.Frames[from:to], Times: dl.Times[from:to]}
			c.Feed(d, transport.Input{Data: part.Data, Origins: &part}, &s.out, &s.events)
			from = to
		}
	}
	c.End(&s.out, &s.events)
	return s
}

func keyLog(t testing.TB, name string) *KeyLog {
	t.Helper()
	k, err := OpenKeyLog(filepath.Join(pcaps, strings.TrimSuffix(name, filepath.Ext(name))+".keys"), false)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// types frames a direction's plaintext as MQTT and lists the packet types.
func types(t *testing.T, b []byte) []string {
	t.Helper()
	var f decode.Framer
	f.Feed(b, true)
	var out []string
	for {
		fr, ok := f.Next()
		if !ok {
			break
		}
		out = append(out, decode.Type(fr.Raw[0]>>4).String())
	}
	if fr, ok := f.End(); ok {
		t.Errorf("plaintext ends inside a packet: % x", fr.Raw)
	}
	slices.Sort(out)
	return out
}

// The session every paho capture holds (see testdata/pcaps/README.md):
// client CONNECT, SUBSCRIBE, PUBLISH QoS 0 and 1, PUBACK for the QoS 1
// copy delivered back, UNSUBSCRIBE, DISCONNECT; the broker's CONNACK,
// SUBACK, the two PUBLISH copies, PUBACK, UNSUBACK.
var (
	pahoClient = []string{"CONNECT", "DISCONNECT", "PUBACK", "PUBLISH", "PUBLISH", "SUBSCRIBE", "UNSUBSCRIBE"}
	pahoServer = []string{"CONNACK", "PUBACK", "PUBLISH", "PUBLISH", "SUBACK", "UNSUBACK"}
)

func TestDecryptCaptures(t *testing.T) {
	for _, tc := range []struct {
		name, version, suite string
	}{
		{"tls12-aes128gcm.pcap", "TLS 1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
		{"tls12-aes256gcm.pcap", "TLS 1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
		{"tls12-chacha20.pcap", "TLS 1.2", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
		{"tls12-cbc-sha.pcap", "TLS 1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
		{"tls12-cbc-sha256.pcap", "TLS 1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
		{"tls13-aes128gcm.pcap", "TLS 1.3", "TLS_AES_128_GCM_SHA256"},
		{"tls13-aes256gcm.pcap", "TLS 1.3", "TLS_AES_256_GCM_SHA384"},
		{"tls13-chacha20.pcap", "TLS 1.3", "TLS_CHACHA20_POLY1305_SHA256"},
	} {
		for _, piece := range []int{0, 1, 7} {
			t.Run(tc.name+"/"+map[int]string{0: "whole", 1: "byte by byte", 7: "7 bytes"}[piece], func(t *testing.T) {
				s := decrypt(t, tc.name, keyLog(t, tc.name), piece)
				var tlsEv []transport.Event
				for _, e := range s.events {
					switch e.Type {
					case "tls":
						tlsEv = append(tlsEv, e)
					case "tls_alert":
					default:
						t.Errorf("event %s %s: %s", e.Type, e.Code, e.Message)
					}
				}
				if len(tlsEv) != 1 {
					t.Fatalf("%d tls events, want 1", len(tlsEv))
				}
				info := tlsEv[0].TLS
				if info.Keys != "found" || info.Version != tc.version || info.CipherSuite != tc.suite || info.SNI != "localhost" || len(info.ClientRandom) != 64 {
					t.Errorf("tls event %+v", info)
				}
				if !strings.Contains(tlsEv[0].Message, "decrypted with the key log") {
					t.Errorf("message %q", tlsEv[0].Message)
				}
				if got := types(t, s.out[0].Data); !slices.Equal(got, pahoClient) {
					t.Errorf("client packets %v, want %v", got, pahoClient)
				}
				if got := types(t, s.out[1].Data); !slices.Equal(got, pahoServer) {
					t.Errorf("server packets %v, want %v", got, pahoServer)
				}
				topic := "tls/" + strings.TrimSuffix(tc.name, ".pcap")
				if !bytes.Contains(s.out[0].Data, []byte(topic)) || !bytes.Contains(s.out[1].Data, []byte("message 2")) {
					t.Errorf("plaintext lacks the topic %q or the message: %q", topic, s.out[0].Data)
				}
				// Each plaintext byte completes with its record: frames
				// never go down within a direction.
				for d := range 2 {
					var last uint64
					for i := range s.out[d].Data {
						f, _ := s.out[d].Origin(i)
						if f < last || f == 0 {
							t.Fatalf("direction %d byte %d from frame %d after %d", d, i, f, last)
						}
						last = f
					}
				}
			})
		}
	}
}

func TestKeyUpdate(t *testing.T) {
	s := decrypt(t, "tls13-keyupdate.pcap", keyLog(t, "tls13-keyupdate.pcap"), 0)
	var got []string
	for _, e := range s.events {
		got = append(got, e.Type+"/"+e.Dir.Name())
	}
	// The client updates its keys; mosquitto sends nothing more but its
	// close_notify, and without a KeyUpdate of its own (RFC 8446 §4.6.3
	// has it answer before it next sends application data).
	want := []string{"tls/server", "tls_key_update/client", "tls_alert/server", "tls_alert/client"}
	if !slices.Equal(got, want) {
		t.Errorf("events %v, want %v first", got, want)
	}
	// OpenSSL's key log carries TLS_AES_256_GCM_SHA384 secrets (48 bytes).
	if s.events[0].TLS.CipherSuite != "TLS_AES_256_GCM_SHA384" {
		t.Errorf("suite %s", s.events[0].TLS.CipherSuite)
	}
	if got := types(t, s.out[0].Data); !slices.Equal(got, []string{"CONNECT", "DISCONNECT", "PUBLISH", "PUBLISH"}) {
		t.Errorf("client packets %v", got)
	}
	if !bytes.Contains(s.out[0].Data, []byte("before")) || !bytes.Contains(s.out[0].Data, []byte("after")) {
		t.Errorf("the PUBLISH after the key update is missing: %q", s.out[0].Data)
	}
	if got := types(t, s.out[1].Data); !slices.Equal(got, []string{"CONNACK"}) {
		t.Errorf("server packets %v", got)
	}
}

// TestNoKeys: without the keys the connection is one event that says what
// it is and which keys are missing; nothing is handed on.
func TestNoKeys(t *testing.T) {
	name := "tls13-aes128gcm.pcap"
	full := keyLog(t, name)
	var cr string
	for _, tc := range []struct {
		name  string
		keys  Keys
		state string
		msg   string
	}{
		{"no key log", nil, "none", "not decrypted: no key log (--tls-keylog FILE"},
		{"other sessions", NewKeyLog(), "missing", "not decrypted: the key log has no keys for client random "},
		{"damaged key", damaged(t, name, "SERVER_HANDSHAKE_TRAFFIC_SECRET"), "wrong", "do not decrypt it (a wrong or damaged key)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := decrypt(t, name, tc.keys, 0)
			if len(s.events) != 1 || s.events[0].Type != "tls" {
				t.Fatalf("events %+v, want one tls event", s.events)
			}
			e := s.events[0]
			if e.TLS.Keys != tc.state || !strings.Contains(e.Message, tc.msg) || e.TLS.Version != "TLS 1.3" || e.TLS.SNI != "localhost" {
				t.Errorf("event %q %+v", e.Message, e.TLS)
			}
			if cr == "" {
				cr = e.TLS.ClientRandom
			} else if e.TLS.ClientRandom != cr {
				t.Errorf("client random %s, first %s", e.TLS.ClientRandom, cr)
			}
			if e.Frame == 0 {
				t.Error("no frame")
			}
			if s.out[0].Len()+s.out[1].Len() > 0 {
				t.Errorf("bytes handed on: %x / %x", s.out[0].Data, s.out[1].Data)
			}
		})
	}
	if _, ok := full.Secrets(mustRandom(t, cr)); !ok {
		t.Errorf("the event's client random %s is not the key log's", cr)
	}
	// A damaged client key: the server side decrypts, the client side is
	// reported and not decoded.
	s := decrypt(t, name, damaged(t, name, "CLIENT_TRAFFIC_SECRET_0"), 0)
	var codes []string
	for _, e := range s.events {
		codes = append(codes, e.Type+":"+e.Code)
	}
	if !slices.Contains(codes, "tls_problem:"+CodeDecrypt) || s.out[0].Len() != 0 || s.out[1].Len() == 0 {
		t.Errorf("damaged client key: events %v, %d/%d bytes out", codes, s.out[0].Len(), s.out[1].Len())
	}
}

// damaged is a capture's key log with one hex digit of a secret changed.
func damaged(t *testing.T, name, label string) *KeyLog {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pcaps, strings.TrimSuffix(name, ".pcap")+".keys"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, label+" ") {
			last := l[len(l)-1]
			l = l[:len(l)-1] + map[bool]string{true: "1", false: "0"}[last == '0']
		}
		out = append(out, l)
	}
	k := NewKeyLog()
	k.Add([]byte(strings.Join(out, "\n")))
	return k
}

func mustRandom(t *testing.T, s string) [32]byte {
	var cr [32]byte
	b := []byte(s)
	if len(b) != 64 {
		t.Fatalf("client random %q", s)
	}
	for i := range cr {
		var v byte
		for _, c := range b[2*i : 2*i+2] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= c - '0'
			default:
				v |= c - 'a' + 10
			}
		}
		cr[i] = v
	}
	return cr
}

// TestUnknownKeys: the capture of a TLS connection without keys recorded
// by record.sh (mosquitto_pub, OpenSSL).
func TestTLS8883(t *testing.T) {
	s := decrypt(t, "tls-8883.pcap", nil, 0)
	if len(s.events) != 1 {
		t.Fatalf("events %+v", s.events)
	}
	e := s.events[0]
	if e.TLS.Version != "TLS 1.3" || e.TLS.CipherSuite != "TLS_AES_256_GCM_SHA384" || e.TLS.Keys != "none" {
		t.Errorf("%q %+v", e.Message, e.TLS)
	}
}

// TestLostRecord: bytes lost inside a record lose that record only: the
// next one decrypts with the next sequence number, and the plaintext says
// where bytes are missing.
func TestLostRecord(t *testing.T) {
	name := "tls13-aes128gcm.pcap"
	var client, server []byte
	for _, dl := range testutil.Streams(t, filepath.Join(pcaps, name))[0].Deliveries {
		if dl.FromClient {
			client = append(client, dl.Data...)
		} else {
			server = append(server, dl.Data...)
		}
	}
	// The client's records: ClientHello, ChangeCipherSpec, Finished, then
	// the CONNECT's record.
	var starts []int
	for i := 0; i+5 <= len(client); i += recordLen(client[i:]) {
		starts = append(starts, i)
	}
	rec := starts[3]
	c := New(keyLog(t, name))
	var out [2]transport.Bytes
	var ev []transport.Event
	c.Feed(transport.ClientToServer, transport.Input{Data: client[:starts[1]], Origins: fixed(1)}, &out, &ev)
	c.Feed(transport.ServerToClient, transport.Input{Data: server, Origins: fixed(2)}, &out, &ev)
	c.Feed(transport.ClientToServer, transport.Input{Data: client[starts[1] : rec+10], Origins: fixed(3)}, &out, &ev)
	c.Gap(transport.ClientToServer, 5, 4, time.Unix(4, 0), &out, &ev)
	c.Feed(transport.ClientToServer, transport.Input{Data: client[rec+15:], Origins: fixed(5)}, &out, &ev)
	c.End(&out, &ev)
	for _, e := range ev {
		if e.Type != "tls" && e.Type != "tls_alert" {
			t.Errorf("event %s: %s", e.Message, e.Code)
		}
	}
	lost := recordLen(client[rec:]) - 5 - 17
	if len(out[0].Missing) != 1 || out[0].Missing[0].Off != 0 || out[0].Missing[0].Len != lost || !out[0].Missing[0].Lost {
		t.Fatalf("missing %+v, want the CONNECT's %d bytes lost", out[0].Missing, lost)
	}
	if got := types(t, out[0].Data[lost:]); !slices.Equal(got, []string{"DISCONNECT", "PUBACK", "PUBLISH", "PUBLISH", "SUBSCRIBE", "UNSUBSCRIBE"}) {
		t.Errorf("client packets after the lost record: %v", got)
	}
	// A gap across a record boundary loses the direction.
	c = New(keyLog(t, name))
	ev = ev[:0]
	out = [2]transport.Bytes{}
	c.Feed(transport.ClientToServer, transport.Input{Data: client[:starts[1]], Origins: fixed(1)}, &out, &ev)
	c.Gap(transport.ClientToServer, 20, 4, time.Unix(4, 0), &out, &ev)
	if len(ev) != 1 || ev[0].Code != CodeLostSync {
		t.Errorf("gap at a boundary: %+v", ev)
	}
}
