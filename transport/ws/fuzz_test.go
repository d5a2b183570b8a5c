package ws

import (
	"bytes"
	"testing"

	"github.com/mqttpcap/mqttpcap/transport"
)

// FuzzFrames runs arbitrary bytes through the frame parser of both
// directions after a real upgrade, whole and cut at a point: it never
// panics, never gives more bytes than it was given, gives the same bytes
// and events however the input is cut, and every output byte has a frame
// from the input.
func FuzzFrames(f *testing.F) {
	f.Add(unhex(f, framesClientFrames), unhex(f, framesServerFrames), uint16(7))
	f.Add(unhex(f, pahoConnect), unhex(f, pahoConnack), uint16(3))
	f.Add(unhex(f, "82ff000000000000001201020304111203004c53575005000338010674776233"), []byte{0x88, 0x02, 0x03, 0xe8}, uint16(9))
	f.Add(frame(0x09, true, bytes.Repeat([]byte{1}, 200)), frame(0x82, true, nil), uint16(1))
	f.Fuzz(func(t *testing.T, client, server []byte, cut uint16) {
		run := func(pieces ...[]byte) ([2]transport.Bytes, []transport.Event) {
			c := New()
			var out [2]transport.Bytes
			var ev []transport.Event
			c.Feed(transport.ClientToServer, transport.Input{Data: []byte(framesRequest), Origins: frames{base: 1, step: 1 << 30}}, &out, &ev)
			c.Feed(transport.ServerToClient, transport.Input{Data: []byte(framesResponse), Origins: frames{base: 2, step: 1 << 30}}, &out, &ev)
			for i, p := range pieces {
				d := transport.Dir(i % 2)
				c.Feed(d, transport.Input{Data: p, Origins: frames{base: uint64(10 + i), step: 1 << 30}}, &out, &ev)
			}
			c.End(&out, &ev)
			return out, ev
		}
		k := int(cut) % (len(client) + 1)
		whole, wev := run(client, server)
		split, sev := run(client[:k], server, client[k:], nil)
		for d := range 2 {
			if !bytes.Equal(whole[d].Data, split[d].Data) {
				t.Fatalf("direction %d: cut at %d gives %x, whole %x", d, k, split[d].Data, whole[d].Data)
			}
		}
		if whole[0].Len() > len(client) || whole[1].Len() > len(server) {
			t.Fatalf("more bytes out than in: %d > %d or %d > %d", whole[0].Len(), len(client), whole[1].Len(), len(server))
		}
		// Events keep their order within a direction (the directions
		// interleave as they are fed).
		for d := range transport.Dir(2) {
			w, s := byDir(wev, d), byDir(sev, d)
			if len(w) != len(s) {
				t.Fatalf("cut at %d: %d events from the %s, whole %d", k, len(s), d.Name(), len(w))
			}
			for i := range w {
				if w[i].Type != s[i].Type || w[i].Code != s[i].Code {
					t.Fatalf("cut at %d: event %d is %s %s, whole %s %s", k, i, s[i].Type, s[i].Code, w[i].Type, w[i].Code)
				}
			}
		}
		for d := range 2 {
			for i := range whole[d].Data {
				if f, _ := whole[d].Origin(i); f < 10 {
					t.Fatalf("output byte %d of %d from frame %d, not from the frames", i, d, f)
				}
			}
		}
	})
}

func byDir(ev []transport.Event, d transport.Dir) []transport.Event {
	var out []transport.Event
	for _, e := range ev {
		if e.Dir == d {
			out = append(out, e)
		}
	}
	return out
}
