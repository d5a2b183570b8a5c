package stream

import (
	"strings"
	"testing"
	"time"

	pc "github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
)

// connect is a CONNECT of 19 bytes, sent in two segments below.
var connect = []byte("\x10\x11\x00\x04MQTT\x04\x02\x00\x3c\x00\x05my_tv")

// ackBeforeData writes a connection in which the receiver's ACK of a data
// segment is captured before the segment (as with -i any): the second part
// of the data first, then the ACK of all of it, then after late more
// frames (of another connection) the first part. fromClient says which
// side sends the data.
func ackBeforeData(fromClient bool, late int, step time.Duration) *pc.Capture {
	c := pc.New()
	c.Step = step
	k := c.Conn(cli, srv, 1000, 5000)
	k.Handshake()
	data := connect
	if !fromClient {
		k.Send(true, connect)
		k.Ack(false)
		data = []byte("\x20\x02\x00\x00\x30\x05\x00\x01a\x01\x02") // CONNACK, PUBLISH
	}
	first := k.Make(fromClient, pc.PSH|pc.ACK, data[:7])
	k.Seq[dirIndex(fromClient)] += 7
	second := k.Make(fromClient, pc.PSH|pc.ACK, data[7:])
	k.Seq[dirIndex(fromClient)] += uint32(len(data) - 7)
	c.TCP(second)
	k.Ack(!fromClient)
	other := c.Conn("10.0.0.3:40000", "10.0.0.4:80", 1, 1)
	for range late {
		other.Send(true, []byte("x"))
	}
	c.TCP(first)
	k.Close()
	return c
}

// Data acknowledged before it is captured is waited for: when it comes
// within the window it is reassembled whole, in both directions.
func TestAckBeforeDataIsWaitedFor(t *testing.T) {
	for _, fromClient := range []bool{true, false} {
		for _, late := range []int{0, 1, ackWaitFrames - 1} {
			c := ackBeforeData(fromClient, late, 10*time.Microsecond)
			r, _, _ := run(t, c, mqttConfig())
			cn := r.conns[0]
			want, got := string(connect), r.data[cn][0].String()
			if !fromClient {
				want, got = "\x20\x02\x00\x00\x30\x05\x00\x01a\x01\x02", r.data[cn][1].String()
			}
			log := strings.Join(r.log, "\n")
			if got != want || strings.Contains(log, "lost=true") || strings.Contains(log, "gap") {
				t.Errorf("from client %v, %d frames late: data %q, want %q:\n%s", fromClient, late, got, want, log)
			}
		}
	}
}

// Past the window (in frames, or in capture time) the bytes are lost: the
// data behind them comes out after a hole marked acknowledged, and the
// segment that comes later is not taken for new data.
func TestAckedBytesLostAfterTheWindow(t *testing.T) {
	for _, tt := range []struct {
		name string
		late int
		step time.Duration
	}{
		{"frames", ackWaitFrames + 1, 10 * time.Microsecond},
		{"time", 0, ackWaitTime + time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := ackBeforeData(true, tt.late, tt.step)
			r, _, _ := run(t, c, mqttConfig())
			cn := r.conns[0]
			log := strings.Join(r.log, "\n")
			if got := r.data[cn][0].String(); got != "\x00\x00\x00\x00\x00\x00\x00"+string(connect[7:]) {
				t.Errorf("data %q:\n%s", got, log)
			}
			if !strings.Contains(log, "missing[0+7 lost=true acked=true") {
				t.Errorf("no acknowledged hole:\n%s", log)
			}
		})
	}
}

// When the bytes are really lost, the data behind them still comes out in
// frame order: before the other side's answer to it.
func TestLostBytesKeepFrameOrder(t *testing.T) {
	c := pc.New()
	c.Step = 10 * time.Microsecond
	k := c.Conn(cli, srv, 1000, 5000)
	k.Handshake()
	k.Seq[0] += 16 // the CONNECT was never captured...
	k.Ack(false)   // ...but the server acknowledged it
	for range 3 {
		k.Ack(true)
	}
	for i := range 3 {
		k.Send(true, []byte{0x82, 0x01, byte(i)})
		k.Send(false, []byte{0x90, 0x01, byte(i)})
	}
	r, _, _ := run(t, c, mqttConfig())
	var order []string
	for _, l := range r.log {
		if strings.HasPrefix(l, "data") {
			order = append(order, strings.Fields(l)[2])
		}
	}
	if got := strings.Join(order, ""); got != "cscscs" {
		t.Errorf("deliveries by direction %q, want cscscs:\n%s", got, strings.Join(r.log, "\n"))
	}
	if !strings.Contains(strings.Join(r.log, "\n"), "missing[0+16 lost=true acked=true") {
		t.Errorf("no acknowledged hole:\n%s", strings.Join(r.log, "\n"))
	}
}

// A hole no one acknowledged waits for the hole timeout (a retransmission
// may fill it), then is a gap.
func TestUnacknowledgedHoleWaitsForTheTimeout(t *testing.T) {
	c := pc.New()
	k := c.Conn(cli, srv, 1000, 5000)
	k.Handshake()
	first := k.Make(true, pc.PSH|pc.ACK, connect[:7])
	k.Seq[0] += 7
	k.Send(true, connect[7:])
	c.Advance(time.Second)
	k.Ack(true)
	c.TCP(first) // the retransmission, a second later
	k.Close()
	r, _, _ := run(t, c, mqttConfig())
	if got := r.data[r.conns[0]][0].String(); got != string(connect) {
		t.Errorf("data %q:\n%s", got, strings.Join(r.log, "\n"))
	}
}

// The queue of segments behind holes is bounded.
func TestQueueBound(t *testing.T) {
	var q queue
	for i := range 3 * maxQueued {
		q.add(queuedSeg{seq: uint32(100000 - 10*i)})
	}
	if len(q.segs) != maxQueued {
		t.Fatalf("%d segments kept", len(q.segs))
	}
	for i := 1; i < len(q.segs); i++ {
		if seqDiff(q.segs[i-1].seq, q.segs[i].seq) <= 0 {
			t.Fatalf("not in order at %d: %v", i, q.segs[i-1:i+1])
		}
	}
	if q.segs[0].seq != uint32(100000-10*(3*maxQueued-1)) {
		t.Errorf("the lowest is not kept: %d", q.segs[0].seq)
	}
	q.drop(q.segs[10].seq)
	if len(q.segs) != maxQueued-11 {
		t.Errorf("after drop: %d", len(q.segs))
	}
}
