package tls

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/internal/testutil"
	"github.com/mqttpcap/mqttpcap/transport"
)

// FuzzRecords runs arbitrary bytes through the record layer of both
// directions, with the key log of tls13-aes128gcm.pcap (seeded with that
// capture's and tls12-chacha20.pcap's bytes, so the fuzzer starts from real
// handshakes and records): it never panics, hands on no more than it was
// given, and gives the same plaintext however the client's bytes are cut.
func FuzzRecords(f *testing.F) {
	keys := NewKeyLog()
	for _, name := range []string{"tls13-aes128gcm.pcap", "tls12-chacha20.pcap", "tls12-cbc-sha.pcap"} {
		var dirs [2][]byte
		for _, dl := range testutil.Streams(f, filepath.Join(pcaps, name))[0].Deliveries {
			i := 1
			if dl.FromClient {
				i = 0
			}
			dirs[i] = append(dirs[i], dl.Data...)
		}
		f.Add(dirs[0], dirs[1], uint16(600))
		k := keyLog(f, name)
		for cr, s := range k.sessions {
			keys.sessions[cr] = s
		}
	}
	f.Add([]byte{0x16, 3, 1, 0, 4, 1, 0, 0, 0}, []byte{0x17, 3, 3, 0, 0}, uint16(3))
	f.Fuzz(func(t *testing.T, client, server []byte, cut uint16) {
		run := func(pieces ...[]byte) [2]transport.Bytes {
			c := New(keys)
			var out [2]transport.Bytes
			var ev []transport.Event
			for i, p := range pieces {
				d := transport.Dir(i % 2)
				c.Feed(d, transport.Input{Data: p, Origins: fixed(uint64(i + 1))}, &out, &ev)
			}
			c.End(&out, &ev)
			tlsEvents := 0
			for _, e := range ev {
				if e.Type == "tls" {
					tlsEvents++
				}
			}
			if tlsEvents != 1 {
				t.Fatalf("%d tls events", tlsEvents)
			}
			return out
		}
		k := int(cut) % (len(client) + 1)
		whole := run(client, server)
		split := run(client[:k], nil, client[k:], server)
		if !bytes.Equal(whole[0].Data, split[0].Data) {
			t.Fatalf("client cut at %d: %x, whole %x", k, split[0].Data, whole[0].Data)
		}
		if whole[0].Len() > len(client) || whole[1].Len() > len(server) {
			t.Fatalf("more plaintext than input")
		}
	})
}

type fixed uint64

func (f fixed) Origin(int) (uint64, time.Time) { return uint64(f), time.Time{} }
