package stream

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	pc "github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
)

const (
	cli = "10.0.0.1:50000"
	srv = "10.0.0.2:1883"
)

var disconnect = []byte{0xe0, 0x00}

// syn writes a bare SYN, rst a RST+ACK answering it.
func syn(c *pc.Capture, k *pc.Conn, seq uint32) {
	c.TCP(pc.Segment{Src: k.Client, Dst: k.Server, Seq: seq, Flags: pc.SYN})
}

func rstAnswer(c *pc.Capture, k *pc.Conn, seq uint32) {
	c.TCP(pc.Segment{Src: k.Server, Dst: k.Client, Ack: seq + 1, Flags: pc.RST | pc.ACK})
}

// Stream numbers follow Wireshark's rules. Each case's numbers are what
// tshark 4.0.17 gives its frames (checked again here when tshark is
// installed).
func TestStreamNumbers(t *testing.T) {
	for _, tt := range []struct {
		name  string
		build func(c *pc.Capture)
		want  []int
	}{
		{"SYN retries with the same ISN, each answered by RST, are one stream; another ISN is a new one", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			for range 3 {
				syn(c, k, 1000)
				rstAnswer(c, k, 1000)
			}
			k2 := c.Conn(cli, srv, 9000, 7000)
			k2.Handshake()
			k2.Send(true, disconnect)
			k2.Close()
		}, []int{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}},
		{"a SYN with the old ISN after FIN both ways stays in the stream", func(c *pc.Capture) {
			for _, sisn := range []uint32{5000, 6000} {
				k := c.Conn(cli, srv, 1000, sisn)
				k.Handshake()
				k.Send(true, disconnect)
				k.Close()
			}
		}, slices.Repeat([]int{0}, 14)},
		{"a SYN with another ISN after a RST is a new stream", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			k.Handshake()
			k.Send(true, disconnect)
			k.Seg(false, pc.RST|pc.ACK, nil)
			k2 := c.Conn(cli, srv, 3000, 6000)
			k2.Handshake()
			k2.Close()
		}, []int{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}},
		{"a SYN with another ISN while the old connection is open is a new stream, and takes its later packets", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			k.Handshake()
			k.Send(true, disconnect)
			k2 := c.Conn(cli, srv, 3000, 6000)
			k2.Handshake()
			k2.Close()
			k.Send(true, []byte{0xc0, 0})
		}, []int{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}},
		{"a handshake reset by the client and tried again with the same ISN is one stream", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			k.Handshake()
			k.Seg(true, pc.RST, nil)
			k.Seq = [2]uint32{1000, 5000}
			k.Handshake()
			k.Close()
		}, slices.Repeat([]int{0}, 10)},
		{"mid-connection: the base is the first sequence number less one (same ISN: same stream)", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			k.Send(true, []byte{0xc0, 0})
			k.Send(false, []byte{0xd0, 0})
			k2 := c.Conn(cli, srv, 999, 6000)
			k2.Handshake()
			k2.Close()
		}, slices.Repeat([]int{0}, 8)},
		{"mid-connection: a SYN at the first sequence number is a new stream", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			k.Send(true, []byte{0xc0, 0})
			k.Send(false, []byte{0xd0, 0})
			k2 := c.Conn(cli, srv, 1000, 6000)
			k2.Handshake()
			k2.Close()
		}, []int{0, 0, 1, 1, 1, 1, 1, 1}},
		{"the server opens the reverse connection with a new ISN after the close: a new stream", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			k.Handshake()
			k.Close()
			k2 := c.Conn(srv, cli, 3000, 6000)
			k2.Handshake()
			k2.Close()
		}, []int{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}},
		{"FIN from one side only, then the same ISN: same stream", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			k.Handshake()
			k.Seg(true, pc.FIN|pc.ACK, nil)
			k.Ack(false)
			k2 := c.Conn(cli, srv, 1000, 6000)
			k2.Handshake()
			k2.Close()
		}, slices.Repeat([]int{0}, 11)},
		{"unanswered SYN retries, then the handshake: one stream", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			syn(c, k, 1000)
			syn(c, k, 1000)
			k.Handshake()
			k.Close()
		}, slices.Repeat([]int{0}, 8)},
		{"a SYN+ACK with another sequence number is no new stream", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			k.Handshake()
			k.Close()
			c.TCP(pc.Segment{Src: k.Server, Dst: k.Client, Seq: 8000, Ack: 2000, Flags: pc.SYN | pc.ACK})
			c.TCP(pc.Segment{Src: k.Client, Dst: k.Server, Seq: 2000, Ack: 8001, Flags: pc.ACK})
		}, slices.Repeat([]int{0}, 8)},
		{"ISNs 1000, 1000, 2000, 2000, 1000 each answered by RST: three streams", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			for _, isn := range []uint32{1000, 1000, 2000, 2000, 1000} {
				syn(c, k, isn)
				rstAnswer(c, k, isn)
			}
		}, []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2}},
		{"the reverse direction's ACK sets the base: ack-1 is the same stream", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1001, 5000)
			k.Send(false, []byte{0xd0, 0})
			k2 := c.Conn(cli, srv, 1000, 6000)
			k2.Handshake()
		}, []int{0, 0, 0, 0}},
		{"the reverse direction's ACK sets the base: another ISN is a new stream", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1001, 5000)
			k.Send(false, []byte{0xd0, 0})
			k2 := c.Conn(cli, srv, 1001, 6000)
			k2.Handshake()
		}, []int{0, 1, 1, 1}},
		{"a SYN+ACK first sets the client's base from its ACK", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			c.TCP(pc.Segment{Src: k.Server, Dst: k.Client, Seq: 5000, Ack: 1001, Flags: pc.SYN | pc.ACK})
			syn(c, k, 2000)
			syn(c, k, 1000)
		}, []int{0, 1, 2}},
		{"SYN with FIN, RST or PSH counts as a SYN", func(c *pc.Capture) {
			k := c.Conn(cli, srv, 1000, 5000)
			syn(c, k, 2000)
			for i, f := range []uint8{pc.FIN, pc.RST, pc.PSH} {
				c.TCP(pc.Segment{Src: k.Client, Dst: k.Server, Seq: 3000 + uint32(i)*1000, Flags: pc.SYN | f})
			}
		}, []int{0, 1, 2, 3}},
		{"another port is another stream; a known one keeps its number", func(c *pc.Capture) {
			a := c.Conn(cli, srv, 1000, 5000)
			b := c.Conn("10.0.0.1:50001", srv, 1000, 5000)
			a.Handshake()
			b.Handshake()
			a.Close()
			b.Close()
		}, []int{0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := pc.New()
			tt.build(c)
			_, got, _ := run(t, c, mqttConfig())
			if !slices.Equal(got, tt.want) {
				t.Errorf("streams %v, want %v", got, tt.want)
			}
			if ts := tsharkStreams(t, c); ts != nil && !slices.Equal(ts, tt.want) {
				t.Errorf("tshark gives %v: the expected numbers are wrong", ts)
			}
		})
	}
}

// The same connection captured on two interfaces is two connections with
// one stream number (Wireshark 4.0 does not tell interfaces apart), each
// with all its data.
func TestInterfacesShareStreamNumbers(t *testing.T) {
	c := pc.New()
	for iface := range 2 {
		c.Iface = iface
		k := c.Conn(cli, srv, 1000, 5000)
		k.Handshake()
		k.Send(true, disconnect)
		k.Close()
	}
	r, streams, _ := run(t, c, mqttConfig())
	if !slices.Equal(streams, slices.Repeat([]int{0}, 14)) {
		t.Errorf("streams %v", streams)
	}
	if len(r.conns) != 2 || r.conns[0].Interface != 0 || r.conns[1].Interface != 1 {
		t.Fatalf("connections %v", r.conns)
	}
	for _, cn := range r.conns {
		if got := r.data[cn][0].String(); got != string(disconnect) {
			t.Errorf("interface %d: client data %q", cn.Interface, got)
		}
	}
}

// SYN retries answered by RST are one connection (one summary, one end);
// the connection that follows with another ISN gets its data.
func TestSYNRetriesAreOneConnection(t *testing.T) {
	c := pc.New()
	k := c.Conn(cli, srv, 1000, 5000)
	for range 5 {
		syn(c, k, 1000)
		rstAnswer(c, k, 1000)
	}
	k2 := c.Conn(cli, srv, 9000, 7000)
	k2.Handshake()
	k2.Send(true, disconnect)
	k2.Close()
	r, _, _ := run(t, c, mqttConfig())
	if len(r.conns) != 2 {
		t.Fatalf("%d connections, want 2:\n%s", len(r.conns), strings.Join(r.log, "\n"))
	}
	first, second := r.conns[0], r.conns[1]
	if r.done[first] != "rst" || first.Stream != 0 || first.Packets[0] != 5 || first.Packets[1] != 5 {
		t.Errorf("retries: stream %d, ended %q, packets %v", first.Stream, r.done[first], first.Packets)
	}
	if second.Stream != 1 || r.done[second] != "closed" || r.data[second][0].String() != string(disconnect) {
		t.Errorf("after the retries: stream %d, ended %q, data %q", second.Stream, r.done[second], r.data[second][0].String())
	}
	if n := strings.Count(strings.Join(r.log, "\n"), "closed 0 s rst"); n != 5 {
		t.Errorf("%d RST events, want one per try (5):\n%s", n, strings.Join(r.log, "\n"))
	}
}

// A SYN retried after a RST, then answered: the handshake and data of the
// last try are reassembled as the same connection.
func TestSYNRetryThenConnects(t *testing.T) {
	c := pc.New()
	k := c.Conn(cli, srv, 1000, 5000)
	syn(c, k, 1000)
	rstAnswer(c, k, 1000)
	k.Handshake()
	k.Send(true, disconnect)
	k.Close()
	r, _, _ := run(t, c, mqttConfig())
	if len(r.conns) != 1 {
		t.Fatalf("%d connections, want 1:\n%s", len(r.conns), strings.Join(r.log, "\n"))
	}
	cn := r.conns[0]
	if r.data[cn][0].String() != string(disconnect) || r.done[cn] != "closed" || !cn.StartSeen[0] {
		t.Errorf("data %q, ended %q, start seen %v:\n%s", r.data[cn][0].String(), r.done[cn], cn.StartSeen, strings.Join(r.log, "\n"))
	}
}

// The same 4-tuple reused while the old connection is open: the old one
// ends ("port reused") with what it held, the new one is reassembled
// afresh from its own SYN.
func TestPortReusedWhileOpen(t *testing.T) {
	c := pc.New()
	k := c.Conn(cli, srv, 1000, 5000)
	k.Handshake()
	k.Send(true, []byte{0x10, 0x02})
	// A segment after a hole, never filled.
	hole := k.Make(true, pc.PSH|pc.ACK, []byte{0xc0, 0x00})
	hole.Seq += 5
	c.TCP(hole)
	k2 := c.Conn(cli, srv, 77777, 8888)
	k2.Handshake()
	k2.Send(true, disconnect)
	k2.Close()
	r, streams, _ := run(t, c, mqttConfig())
	if len(r.conns) != 2 {
		t.Fatalf("%d connections:\n%s", len(r.conns), strings.Join(r.log, "\n"))
	}
	old, cur := r.conns[0], r.conns[1]
	if r.done[old] != "port reused" || old.Stream != 0 || cur.Stream != 1 || r.done[cur] != "closed" {
		t.Errorf("old: stream %d %q; new: stream %d %q", old.Stream, r.done[old], cur.Stream, r.done[cur])
	}
	// The old connection's data behind its hole comes out after the gap,
	// before it ends.
	if got := r.data[old][0].String(); got != "\x10\x02\x00\x00\x00\x00\x00\xc0\x00" {
		t.Errorf("old client data %q:\n%s", got, strings.Join(r.log, "\n"))
	}
	if got := r.data[cur][0].String(); got != string(disconnect) {
		t.Errorf("new client data %q:\n%s", got, strings.Join(r.log, "\n"))
	}
	if want := []int{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}; !slices.Equal(streams, want) {
		t.Errorf("streams %v, want %v", streams, want)
	}
}

// A new connection with the old ISN after the old one closed: the same
// stream number (as Wireshark), but its own connection and data.
func TestSameISNAfterCloseIsANewConnection(t *testing.T) {
	c := pc.New()
	for _, payload := range [][]byte{disconnect, {0xc0, 0x00}} {
		k := c.Conn(cli, srv, 1000, 5000)
		k.Handshake()
		k.Send(true, payload)
		k.Close()
	}
	r, _, _ := run(t, c, mqttConfig())
	if len(r.conns) != 2 || r.conns[0].Stream != 0 || r.conns[1].Stream != 0 {
		t.Fatalf("connections %v:\n%s", r.conns, strings.Join(r.log, "\n"))
	}
	if r.data[r.conns[0]][0].String() != "\xe0\x00" || r.data[r.conns[1]][0].String() != "\xc0\x00" {
		t.Errorf("data %q, %q", r.data[r.conns[0]][0].String(), r.data[r.conns[1]][0].String())
	}
}

// The conversation table is bounded: past its size the least recently
// seen conversations are forgotten, once said.
func TestConversationTableBound(t *testing.T) {
	c := pc.New()
	for i := range 40 {
		k := c.Conn("10.0.0.1:"+strconv.Itoa(40000+i), "10.0.0.2:80", 1, 1)
		k.Handshake()
		k.Close()
	}
	cfg := mqttConfig()
	cfg.MaxConversations = 16
	r, streams, tr := run(t, c, cfg)
	if tr.convs.size() > 16 {
		t.Errorf("%d conversations remembered, cap 16", tr.convs.size())
	}
	if tr.Stats().Forgotten == 0 || tr.Stats().Streams != 40 {
		t.Errorf("stats %+v", tr.Stats())
	}
	caps := 0
	for _, e := range r.events {
		if e.Kind == "cap" {
			caps++
		}
	}
	if caps != 1 {
		t.Errorf("%d cap events, want 1", caps)
	}
	// Numbering stays right for conversations seen in a row.
	for i, s := range streams {
		if s != i/6 {
			t.Fatalf("frame %d: stream %d, want %d", i+1, s, i/6)
		}
	}
}

// A side that closes (FIN) and then aborts (RST, when the other side
// writes on) resets the connection: reassembly closed that direction at
// the FIN and drops the RST, but the connection ends there, as tshark's
// stream does, and says so. A RST far from where the direction ended
// is not the connection's and changes nothing.
func TestRSTAfterFINEndsTheConnection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rstSeq  int64 // added to the server's next sequence number
		wantEnd string
		want    string // the recorder's closing lines
	}{
		{"at the next sequence number", 0, "rst", "closed 0 s fin frame=6\nclosed 0 s rst frame=8\ndone 0 rst"},
		{"out of the window", 5000, "capture end", "closed 0 s fin frame=6\ndone 0 capture end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := pc.New()
			k := c.Conn(cli, srv, 1000, 5000)
			k.Handshake()
			k.Send(true, disconnect)         // frame 4
			k.Ack(false)                     // 5
			k.Seg(false, pc.FIN|pc.ACK, nil) // 6: the server closes
			k.Send(true, []byte{0xc0})       // 7: the client writes on
			rst := k.Make(false, pc.RST, nil)
			rst.Seq += uint32(tc.rstSeq)
			c.TCP(rst) // 8
			r, _, _ := run(t, c, mqttConfig())
			if len(r.conns) != 1 {
				t.Fatalf("%d connections, want 1", len(r.conns))
			}
			var got []string
			for _, l := range r.log {
				if strings.HasPrefix(l, "closed") || strings.HasPrefix(l, "done") {
					got = append(got, l)
				}
			}
			if strings.Join(got, "\n") != tc.want || r.done[r.conns[0]] != tc.wantEnd {
				t.Errorf("got\n%s\nended %q; want\n%s\nended %q", strings.Join(got, "\n"), r.done[r.conns[0]], tc.want, tc.wantEnd)
			}
		})
	}
}
