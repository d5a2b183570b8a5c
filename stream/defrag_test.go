package stream

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	pc "github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
)

// bigPublish is a QoS 0 PUBLISH of n payload bytes.
func bigPublish(n int) []byte {
	body := append([]byte{0x00, 0x01, 't'}, bytes.Repeat([]byte("p"), n)...)
	rl := len(body)
	return append([]byte{0x30, byte(rl&0x7f) | 0x80, byte(rl >> 7)}, body...)
}

// TCP segments in IP fragments are put back together, IPv4 and IPv6, in
// any order, and numbered where the last fragment completes them (as
// tshark numbers them).
func TestDefragment(t *testing.T) {
	for _, tt := range []struct {
		name     string
		cli, srv string
		order    []int
	}{
		{"IPv4 in order", cli, srv, nil},
		{"IPv4 last fragment first", cli, srv, []int{3, 0, 1, 2}},
		{"IPv4 with a duplicate fragment", cli, srv, []int{0, 1, 1, 2, 3}},
		{"IPv6 in order", "[2001:db8::1]:50000", "[2001:db8::2]:1883", nil},
		{"IPv6 reversed", "[2001:db8::1]:50000", "[2001:db8::2]:1883", []int{3, 2, 1, 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := pc.New()
			k := c.Conn(tt.cli, tt.srv, 1000, 5000)
			k.Handshake()
			pub := bigPublish(1500)
			c.TCPFragments(k.Make(true, pc.PSH|pc.ACK, pub), 400, tt.order)
			k.Seq[0] += uint32(len(pub))
			k.Ack(false)
			k.Close()
			r, streams, tr := run(t, c, mqttConfig())
			if len(r.conns) != 1 || !bytes.Equal(r.data[r.conns[0]][0].Bytes(), pub) {
				t.Fatalf("client data not whole:\n%s", strings.Join(r.log, "\n"))
			}
			st := tr.Stats()
			if st.Reassembled != 1 || st.FragmentsDropped != 0 {
				t.Errorf("stats %+v", st)
			}
			if ts := tsharkStreams(t, c); ts != nil && !slices.Equal(ts, streams) {
				t.Errorf("streams %v, tshark %v", streams, ts)
			}
		})
	}
}

// Fragments that cannot make a datagram are given up, counted, and never
// delivered as data: overlapping fragments that disagree, a fragment cut
// by the snap length, a datagram whose fragments never all come.
func TestDefragmentGivesUp(t *testing.T) {
	k0 := pc.New().Conn(cli, srv, 1000, 5000)
	seg := k0.Make(true, pc.PSH|pc.ACK, bigPublish(1500))
	frags := pc.Fragments(seg, 7, 400)
	conflict := bytes.Clone(frags[1])
	conflict[len(conflict)-1] ^= 0xff
	cut := frags[2][:100]
	for _, tt := range []struct {
		name   string
		frames [][]byte
		wire   map[int]int // frame index → wire length
	}{
		{"conflicting overlap", [][]byte{frags[0], frags[1], conflict, frags[2], frags[3]}, nil},
		{"snap length", [][]byte{frags[0], frags[1], cut, frags[3]}, map[int]int{2: len(frags[2])}},
		{"missing fragment", [][]byte{frags[0], frags[1], frags[3]}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := pc.New()
			for i, f := range tt.frames {
				c.Raw(f)
				c.Frames[len(c.Frames)-1].Wire = tt.wire[i]
			}
			r, _, tr := run(t, c, mqttConfig())
			if len(r.conns) != 0 {
				t.Errorf("a connection from broken fragments:\n%s", strings.Join(r.log, "\n"))
			}
			if st := tr.Stats(); st.Reassembled != 0 || st.FragmentsDropped == 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// The fragments held are bounded in datagrams and expire on capture time.
func TestDefragmentBounds(t *testing.T) {
	d := newDefragmenter()
	k := pc.New().Conn(cli, srv, 1000, 5000)
	seg := k.Make(true, pc.PSH|pc.ACK, bigPublish(100))
	probe := newLayerDecoder()
	first := func(id uint16) fragment {
		f := pc.Fragments(seg, id, 64)[0]
		pkt, _ := probe.decode(1, f, ciOf(len(f)))
		if !pkt.fragment {
			t.Fatal("not a fragment")
		}
		pkt.frag.data = bytes.Clone(pkt.frag.data)
		return pkt.frag
	}
	for id := range uint16(3 * maxDatagrams) {
		d.add(first(id), 0, int64(id))
	}
	if len(d.pending) > maxDatagrams || d.dropped < 2*maxDatagrams-1 {
		t.Errorf("%d pending, %d dropped", len(d.pending), d.dropped)
	}
	d.expire(int64(fragTimeout)+int64(3*maxDatagrams)+1, false)
	if len(d.pending) != 0 || d.bytes != 0 {
		t.Errorf("after the timeout: %d pending, %d bytes", len(d.pending), d.bytes)
	}
	if d.fragments != 3*maxDatagrams {
		t.Errorf("%d fragments counted", d.fragments)
	}
}
