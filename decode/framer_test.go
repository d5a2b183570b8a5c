package decode

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/internal/testutil"
)

// testStream is a sequence of packets, including one whose remaining
// length takes 2 bytes and one that takes 3.
func testStream(t testing.TB) [][]byte {
	return [][]byte{
		hx(t, seedConnect),
		hx(t, seedSubscribe),
		hx(t, seedPublish),
		pkt(0x32, str("big/payload"), u16(7), bytes.Repeat([]byte("p"), 20000)),
		raw(0xc0, 0x00),
		hx(t, seedDisconnect),
	}
}

// collect feeds chunks and returns copies of the frames it cut, and the
// frames' stream offsets.
func collect(f *Framer, chunks [][]byte, atStart bool) ([][]byte, []int64) {
	var out [][]byte
	var starts []int64
	for _, fr := range collectFrames(f, chunks, atStart) {
		out = append(out, fr.Raw)
		starts = append(starts, fr.Start)
	}
	return out, starts
}

// collectFrames feeds chunks and returns the frames it cut, each with a
// copy of its bytes.
func collectFrames(f *Framer, chunks [][]byte, atStart bool) []Frame {
	var out []Frame
	for _, c := range chunks {
		f.Feed(c, atStart)
		for {
			fr, ok := f.Next()
			if !ok {
				break
			}
			fr.Raw = bytes.Clone(fr.Raw)
			out = append(out, fr)
		}
	}
	return out
}

// Every split point of the stream, including inside a remaining length
// (Wireshark desynchronises there, anchors.md §3.2), gives the same packets.
func TestFramerEverySplitPoint(t *testing.T) {
	packets := testStream(t)
	stream := cat(packets...)
	want := packets
	for cut := 0; cut <= len(stream); cut++ {
		var f Framer
		got, _ := collect(&f, [][]byte{stream[:cut], stream[cut:]}, true)
		if !slices.EqualFunc(got, want, bytes.Equal) {
			t.Fatalf("split at %d: got %d packets, want %d", cut, len(got), len(want))
		}
		if _, pending := f.Pending(); pending {
			t.Fatalf("split at %d: bytes left over", cut)
		}
	}
	// Byte by byte, and with two cuts around each remaining length.
	var chunks [][]byte
	for i := range stream {
		chunks = append(chunks, stream[i:i+1])
	}
	var f Framer
	got, starts := collect(&f, chunks, true)
	if !slices.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("byte by byte: got %d packets", len(got))
	}
	var off int64
	for i, p := range want {
		if starts[i] != off {
			t.Errorf("packet %d starts at %d, want %d", i, starts[i], off)
		}
		off += int64(len(p))
	}
}

func TestFramerGapResync(t *testing.T) {
	packets := testStream(t)
	var f Framer
	// CONNECT, then half of the SUBSCRIBE, then 23 bytes lost, then the rest.
	sub := packets[1]
	got, _ := collect(&f, [][]byte{packets[0], sub[:10]}, true)
	if len(got) != 1 {
		t.Fatalf("before the gap: %d frames", len(got))
	}
	trunc, ok := f.Gap(23)
	if !ok || !trunc.Truncated || len(trunc.Raw) != 10 || trunc.Missing != 37 {
		t.Fatalf("truncated frame %+v", trunc)
	}
	// After the gap: the rest of the SUBSCRIBE's topic, then whole packets.
	rest := cat(sub[33:], packets[2], packets[4], packets[5])
	got, starts := collect(&f, [][]byte{rest}, true)
	if len(got) != 3 || !bytes.Equal(got[0], packets[2]) {
		t.Fatalf("after the gap: %d frames, first %x", len(got), got[0][:4])
	}
	ev := f.Events()
	if len(ev) != 1 || ev[0].Kind != EventSkipped || ev[0].Len != int64(len(sub)-33) {
		t.Fatalf("events %+v", ev)
	}
	if want := int64(len(packets[0]) + 10 + 23 + len(sub) - 33); starts[0] != want {
		t.Errorf("PUBLISH after the gap starts at %d, want %d", starts[0], want)
	}
}

func TestFramerMidStreamStart(t *testing.T) {
	packets := testStream(t)
	var s Session
	f := Framer{Plausible: s.Plausible}
	// The capture starts in the middle of the PUBLISH's payload.
	got, _ := collect(&f, [][]byte{cat(packets[2][50:], packets[4], packets[5])}, false)
	if len(got) != 2 || got[0][0] != 0xc0 || got[1][0] != 0xe0 {
		t.Fatalf("frames %x", got)
	}
}

func TestFramerOversizedPacket(t *testing.T) {
	packets := testStream(t)
	big := packets[3]
	f := Framer{MaxPacket: 1000}
	var frames []Frame
	for i := 0; i < len(big); i += 1448 {
		f.Feed(big[i:min(i+1448, len(big))], true)
		for {
			fr, ok := f.Next()
			if !ok {
				break
			}
			fr.Raw = append([]byte(nil), fr.Raw...)
			frames = append(frames, fr)
		}
	}
	f.Feed(packets[4], true)
	for {
		fr, ok := f.Next()
		if !ok {
			break
		}
		frames = append(frames, fr)
	}
	if len(frames) != 2 {
		t.Fatalf("%d frames", len(frames))
	}
	capped := frames[0]
	if !capped.Capped || !capped.Truncated || len(capped.Raw) != 1000 || capped.Missing != len(big)-1000 {
		t.Fatalf("capped frame: len %d missing %d capped %v", len(capped.Raw), capped.Missing, capped.Capped)
	}
	if !bytes.Equal(capped.Raw, big[:1000]) || frames[1].Raw[0] != 0xc0 {
		t.Fatal("wrong bytes")
	}
	var d Decoder
	p := d.DecodeFrame(capped, V311)
	if string(p.Topic) != "big/payload" || p.PacketID != 7 || !hasCode(p, "truncated") {
		t.Fatalf("decoded capped packet: %q %d %v", p.Topic, p.PacketID, codes(p))
	}
	if ev := f.Events(); len(ev) == 0 || ev[0].Kind != EventCapDropped {
		t.Errorf("events %+v", ev)
	}
}

func TestFramerBadLength(t *testing.T) {
	var f Framer
	got, _ := collect(&f, [][]byte{cat(raw(0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02), raw(0xc0, 0x00))}, true)
	if len(got) != 2 || len(got[0]) != 5 || got[1][0] != 0xc0 {
		t.Fatalf("frames %x", got)
	}
	var d Decoder
	p := d.DecodeFrame(Frame{Raw: got[0], HeaderLen: 5, BadLength: true}, V311)
	if !slices.Equal(codes(p), []string{"vbi_too_long"}) {
		t.Fatalf("problems %v", codes(p))
	}
}

func TestFramerEnd(t *testing.T) {
	var f Framer
	pub := hx(t, seedPublish)
	collect(&f, [][]byte{pub[:60]}, true)
	fr, ok := f.End()
	if !ok || !fr.Truncated || len(fr.Raw) != 60 || fr.Missing != 53 {
		t.Fatalf("end frame %+v", fr)
	}
	var d Decoder
	p := d.DecodeFrame(fr, V311)
	checkRanges(t, p)
	if !slices.Equal(codes(p), []string{"truncated"}) || string(p.Topic) != "$sys/VRqhDHF2wL/my_tv/thing/property/post" {
		t.Fatalf("problems %v topic %q", codes(p), p.Topic)
	}
	if !strings.Contains(p.Problems[0].Message, "60 of 113 bytes") {
		t.Errorf("message %q", p.Problems[0].Message)
	}
}

func TestFramerBudget(t *testing.T) {
	b := &Budget{Limit: 100}
	f := Framer{Budget: b}
	collect(&f, [][]byte{hx(t, seedPublish)[:60]}, true)
	if b.Used != 60 {
		t.Fatalf("budget used %d, want 60", b.Used)
	}
	f.End()
	if b.Used != 0 {
		t.Fatalf("budget used %d after End, want 0", b.Used)
	}
}

// FuzzFramer: any split of a stream into chunks gives the same frames as
// feeding it whole, at the same stream offsets, as long as the framer never
// had to look for a fixed header; every frame is the stream's bytes at its
// offset, in stream order, none overlapping. Where a framer did resync
// (where it finds the next header depends on what has arrived), the two
// must agree from the first frame both found at the same offset until the
// next resync of either.
func FuzzFramer(f *testing.F) {
	packets := testStream(f)
	f.Add(cat(packets[:3]...), []byte{1, 2, 3})
	f.Add(cat(packets[1], packets[4], packets[5]), []byte{0, 1, 0, 5})
	f.Add(raw(0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0xc0, 0x00), []byte{2})
	f.Add(cat(hx(f, seedConnect)[:2], hx(f, seedConnect)[3:], hx(f, seedSubscribe)), []byte{1, 1, 1, 60})
	// Lengths in two bytes (the fast path's), at 128, past the cap, and
	// written non-minimally (0x80 0x00: the one-byte-length check).
	f.Add(cat(publishOf(300), publishOf(128), publishOf(4200), raw(0x30, 0x85, 0x00, 0x00, 0x01, 'a', 0xc0, 0x00), publishOf(16380)), []byte{0, 7, 0, 200})
	f.Fuzz(func(t *testing.T, stream []byte, splits []byte) {
		whole := Framer{MaxPacket: 4096}
		want, wantStarts := collect(&whole, [][]byte{stream}, true)
		wholeEvents := whole.Events()
		resynced := len(wholeEvents) > 0 || !whole.Synced()
		var chunks [][]byte
		rest := stream
		for _, s := range splits {
			n := min(int(s), len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		chunks = append(chunks, rest)
		parts := Framer{MaxPacket: 4096}
		got, gotStarts := collect(&parts, chunks, true)
		if !resynced && (!slices.EqualFunc(got, want, bytes.Equal) || !slices.Equal(gotStarts, wantStarts)) {
			t.Fatalf("chunked %d frames at %v, whole %d at %v", len(got), gotStarts, len(want), wantStarts)
		}
		if resynced {
			agreeAfterResync(t, want, wantStarts, got, gotStarts, append(wholeEvents, parts.Events()...))
		}
		for _, run := range []struct {
			frames [][]byte
			starts []int64
		}{{want, wantStarts}, {got, gotStarts}} {
			for i, fr := range run.frames {
				s := run.starts[i]
				if s < 0 || s+int64(len(fr)) > int64(len(stream)) || !bytes.Equal(stream[s:s+int64(len(fr))], fr) {
					t.Fatalf("frame %d at %d is not the stream's bytes there", i, s)
				}
				if i > 0 && s < run.starts[i-1]+int64(len(run.frames[i-1])) {
					t.Fatalf("frame %d at %d overlaps frame %d at %d", i, s, i-1, run.starts[i-1])
				}
			}
		}
	})
}

// agreeAfterResync checks that two framings of one stream that both resynced
// give the same frames from the first offset where both found one, up to
// the next event (a resync, a skip, a cap) of either.
func agreeAfterResync(t *testing.T, a [][]byte, aStarts []int64, b [][]byte, bStarts []int64, events []FramerEvent) {
	t.Helper()
	i, j := 0, 0
	for i < len(a) && j < len(b) && aStarts[i] != bStarts[j] {
		if aStarts[i] < bStarts[j] {
			i++
		} else {
			j++
		}
	}
	if i == len(a) || j == len(b) {
		return
	}
	limit := int64(1 << 62)
	for _, e := range events {
		if e.Start >= aStarts[i] {
			limit = min(limit, e.Start)
		}
	}
	for ; i < len(a) && j < len(b) && aStarts[i] < limit && bStarts[j] < limit; i, j = i+1, j+1 {
		if aStarts[i] != bStarts[j] || !bytes.Equal(a[i], b[j]) {
			t.Fatalf("after resync, frames disagree: whole %x at %d, chunked %x at %d (next event at %d)", a[i], aStarts[i], b[j], bStarts[j], limit)
		}
	}
}

// FuzzDecode: the decoder never panics, every field range lies inside the
// packet, and decoding is deterministic.
func FuzzDecode(f *testing.F) {
	for _, p := range testStream(f) {
		if len(p) < 2000 {
			f.Add(p, uint8(4))
		}
	}
	f.Add(pkt(0x10, str("MQTT"), raw(5, 0x06), u16(60), props(raw(0x26), str("a"), str("1")), str("dev"), props(raw(0x03), str("t")), str("w"), str("x")), uint8(5))
	f.Add(pkt(0x30, str("a"), props(raw(0x09), str("\xde\xad")), []byte("x")), uint8(5))
	f.Add(pkt(0x90, u16(1), props(), raw(0, 0x80)), uint8(5))
	f.Add(raw(0x20, 0x03, 0, 0x86, 0), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, v uint8) {
		version := Version(3 + v%3)
		var d Decoder
		p := d.Decode(data, version)
		checkRanges(t, p)
		first := fmt.Sprint(codes(p), len(p.Fields))
		var d2 Decoder
		if again := d2.Decode(data, version); fmt.Sprint(codes(again), len(again.Fields)) != first {
			t.Fatal("decoding is not deterministic")
		}
		var s Session
		var fr Framer
		fr.Plausible = s.Plausible
		fr.Feed(data, v%2 == 0)
		for {
			frame, ok := fr.Next()
			if !ok {
				break
			}
			checkRanges(t, s.Decode(frame, v%2 == 0))
		}
		if frame, ok := fr.End(); ok {
			checkRanges(t, s.Decode(frame, true))
		}
	})
}

// Decoding a PUBLISH and framing a chunk of packets allocate nothing once
// warm (style.md §2.4; dnsmessage's TestParsingAllocs).
func TestAllocs(t *testing.T) {
	pub := hx(t, seedPublish)
	var d Decoder
	d.Decode(pub, V311)
	if n := testutil.AllocsPerRun(100, func() { d.Decode(pub, V311) }); n > 0 {
		t.Errorf("decoding a PUBLISH: %.1f allocations", n)
	}
	chunk := cat(pub, pub, raw(0xc0, 0), pub)
	var f Framer
	var s Session
	connect, _ := frameOf(hx(t, seedConnect))
	s.Decode(connect, true)
	run := func() {
		f.Feed(chunk, true)
		for {
			fr, ok := f.Next()
			if !ok {
				break
			}
			s.Decode(fr, true)
		}
	}
	run()
	if n := testutil.AllocsPerRun(100, run); n > 0 {
		t.Errorf("framing and decoding a chunk of 4 packets: %.1f allocations", n)
	}
}

func BenchmarkDecodePublish(b *testing.B) {
	pub := hx(b, seedPublish)
	var d Decoder
	b.ReportAllocs()
	b.SetBytes(int64(len(pub)))
	for b.Loop() {
		d.Decode(pub, V311)
	}
}

func BenchmarkFramerSession(b *testing.B) {
	// 1000 QoS 0 PUBLISH packets of 30-byte payloads.
	var stream []byte
	for i := 0; i < 1000; i++ {
		payload := make([]byte, 30)
		binary.BigEndian.PutUint32(payload, uint32(i))
		stream = append(stream, pkt(0x30, str("sensors/temperature"), payload)...)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		var f Framer
		var s Session
		for i := 0; i < len(stream); i += 1448 {
			f.Feed(stream[i:min(i+1448, len(stream))], true)
			for {
				fr, ok := f.Next()
				if !ok {
					break
				}
				s.Decode(fr, true)
			}
		}
	}
}

// After a gap, the bytes skipped until the next packet are one event
// however many chunks and resync attempts they take, and NextEvent puts
// each skip before the packet that follows it.
func TestFramerOneEventPerSkip(t *testing.T) {
	packets := testStream(t)
	var s Session
	f := Framer{Plausible: s.Plausible}
	f.Feed(packets[0], true)
	for {
		if _, ok := f.Next(); !ok {
			break
		}
	}
	f.Gap(40)
	// Garbage in chunks that each end with what could start a header, so
	// each resync attempt keeps a tail and drops the rest.
	garbage := [][]byte{{0x01, 0x02, 0x30}, {0x00, 0x07, 0x82}, {0x05, 0x00, 0x00, 0x00, 0x30}, {0x99, 0x99}}
	skip1 := int64(0)
	for _, g := range garbage {
		skip1 += int64(len(g))
	}
	start1 := f.Pos()
	chunks := append(garbage, packets[4], nil, []byte{0xff, 0xee, 0x10}, cat(packets[5]))
	type item struct {
		kind       string
		start, len int64
	}
	var got []item
	for _, ch := range chunks {
		if ch == nil {
			f.Gap(5) // and another skip after it
			continue
		}
		f.Feed(ch, false)
		for {
			fr, ok := f.Next()
			if !ok {
				break
			}
			for {
				ev, ok := f.NextEvent(fr.Start)
				if !ok {
					break
				}
				got = append(got, item{"skip", ev.Start, ev.Len})
			}
			got = append(got, item{"frame", fr.Start, int64(len(fr.Raw))})
		}
	}
	for _, ev := range f.Events() {
		got = append(got, item{"late", ev.Start, ev.Len})
	}
	want := []item{
		{"skip", start1, skip1},
		{"frame", start1 + skip1, 2},
		{"skip", start1 + skip1 + 2 + 5, 3},
		{"frame", start1 + skip1 + 2 + 5 + 3, int64(len(packets[5]))},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// publishOf is a QoS 0 PUBLISH to topic "t" with a remaining length of rl
// (at least 3).
func publishOf(rl int) []byte {
	b := AppendVBI([]byte{0x30}, uint32(rl))
	b = append(b, 0x00, 0x01, 't')
	payload := make([]byte, rl-3)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	return append(b, payload...)
}

// TestFramerTwoByteLengths frames packets whose remaining length takes two
// bytes from one chunk (the fast path) and a byte at a time (through the
// buffer) and expects the same frames, every field; a packet over the cap
// and a length written non-minimally take the slow path either way.
func TestFramerTwoByteLengths(t *testing.T) {
	stream := cat(publishOf(300), publishOf(128), publishOf(16383), publishOf(5000), raw(0x30, 0x85, 0x00, 0x00, 0x01, 'a', 0xc0, 0x00), publishOf(200))
	frames := func(chunks [][]byte) []Frame { return collectFrames(&Framer{MaxPacket: 4096}, chunks, true) }
	want := frames([][]byte{stream})
	var bytewise [][]byte
	for i := range stream {
		bytewise = append(bytewise, stream[i:i+1])
	}
	got := frames(bytewise)
	if len(want) < 5 || !reflect.DeepEqual(got, want) {
		t.Fatalf("byte by byte:\n%+v\nwhole:\n%+v", got, want)
	}
	for _, fr := range want[:2] {
		if fr.HeaderLen != 3 || int(fr.RemainingLength)+3 != len(fr.Raw) {
			t.Errorf("frame at %d: header %d, remaining length %d, %d bytes", fr.Start, fr.HeaderLen, fr.RemainingLength, len(fr.Raw))
		}
	}
}
