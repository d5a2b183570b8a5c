package capture

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
)

// The pcapng files of the test data and the shared corpus, and every
// prefix of one: with plain packets read in place they read as with
// pcapgo alone (frames, times, interfaces, link types, errors).
func TestNgPacketsAsPcapgo(t *testing.T) {
	readsAsPcapgo(t, "pcapng", 5, "onenet-esp8266.pcapng", "sections.pcapng")
}

// ngBuilder writes pcapng blocks in one byte order.
type ngBuilder struct {
	order binary.AppendByteOrder
	b     []byte
}

func (w *ngBuilder) block(typ uint32, body []byte) *ngBuilder {
	body = append(body, make([]byte, (4-len(body)&3)&3)...)
	n := uint32(12 + len(body))
	w.b = w.order.AppendUint32(w.b, typ)
	w.b = w.order.AppendUint32(w.b, n)
	w.b = append(w.b, body...)
	w.b = w.order.AppendUint32(w.b, n)
	return w
}

func (w *ngBuilder) option(code uint16, value []byte) []byte {
	o := w.order.AppendUint16(nil, code)
	o = w.order.AppendUint16(o, uint16(len(value)))
	return append(append(o, value...), make([]byte, (4-len(value)&3)&3)...)
}

func (w *ngBuilder) section() *ngBuilder {
	body := w.order.AppendUint32(nil, ngByteOrderMagic)
	body = w.order.AppendUint16(body, 1)
	body = w.order.AppendUint16(body, 0)
	body = append(body, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	return w.block(ngSectionHeader, body)
}

func (w *ngBuilder) iface(link uint16, snap uint32, opts ...[]byte) *ngBuilder {
	body := w.order.AppendUint16(nil, link)
	body = w.order.AppendUint16(body, 0)
	body = w.order.AppendUint32(body, snap)
	for _, o := range opts {
		body = append(body, o...)
	}
	return w.block(1, body)
}

func (w *ngBuilder) epb(id uint32, ts uint64, data []byte, origLen uint32, opts ...[]byte) *ngBuilder {
	body := w.order.AppendUint32(nil, id)
	body = w.order.AppendUint32(body, uint32(ts>>32))
	body = w.order.AppendUint32(body, uint32(ts))
	body = w.order.AppendUint32(body, uint32(len(data)))
	body = w.order.AppendUint32(body, origLen)
	body = append(body, data...)
	body = append(body, make([]byte, (4-len(data)&3)&3)...)
	for _, o := range opts {
		body = append(body, o...)
	}
	w.b = w.order.AppendUint32(w.b, ngEnhancedPacket)
	n := uint32(12 + len(body))
	w.b = w.order.AppendUint32(w.b, n)
	w.b = append(w.b, body...)
	w.b = w.order.AppendUint32(w.b, n)
	return w
}

// Crafted files: sections in both byte orders, timestamp resolutions and
// offsets, interfaces described between packets, packets with options,
// simple packets, bigger than the buffer, naming unknown interfaces.
func TestNgPacketsCraftedAsPcapgo(t *testing.T) {
	pkt := func(n int) []byte { return bytes.Repeat([]byte{0x45}, n) }
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		other := binary.AppendByteOrder(binary.BigEndian)
		if order == binary.BigEndian {
			other = binary.LittleEndian
		}
		w := func() *ngBuilder { return &ngBuilder{order: order} }
		tsresol := func(w *ngBuilder, r byte) []byte { return w.option(9, []byte{r}) }
		tsoffset := func(w *ngBuilder, s uint64) []byte { return w.option(14, w.order.AppendUint64(nil, s)) }
		files := map[string][]byte{}
		b := w().section().iface(1, 65535)
		files["plain"] = b.epb(0, 1_700_000_000_123_456, pkt(60), 60).epb(0, 1_700_000_001_000_000, pkt(61), 61).epb(0, 5, pkt(0), 0).b
		b = w().section().iface(1, 65535, tsresol(w(), 9), w().option(0, nil))
		files["ns"] = b.epb(0, 1_700_000_000_123_456_789, pkt(62), 62).epb(0, 1_700_000_000_999_999_999, pkt(62), 62).b
		b = w().section().iface(1, 65535, tsresol(w(), 0x80|20), tsoffset(w(), 1000), w().option(0, nil))
		files["binary resolution, offset"] = b.epb(0, 1<<40+12345, pkt(63), 100).epb(0, 1<<41+999, pkt(64), 100).b
		b = w().section().iface(1, 65535).epb(0, 1, pkt(40), 40)
		b = b.iface(101, 200, tsresol(w(), 3), w().option(0, nil)).epb(1, 2, pkt(41), 41).epb(0, 3, pkt(42), 42)
		files["interface described between packets"] = b.b
		files["unknown interface"] = w().section().iface(1, 65535).epb(1, 1, pkt(40), 40).b
		files["options"] = w().section().iface(1, 65535).epb(0, 1, pkt(40), 40, w().option(2, []byte{1, 0, 0, 0}), w().option(0, nil)).epb(0, 2, pkt(41), 41).b
		files["simple packet"] = w().section().iface(1, 30).block(3, append(order.AppendUint32(nil, 50), pkt(30)...)).epb(0, 2, pkt(41), 41).b
		files["bigger than the buffer"] = w().section().iface(1, 0).epb(0, 1, pkt(1<<20+100), 1<<20+100).epb(0, 2, pkt(44), 44).b
		files["capture length over the block"] = func() []byte {
			b := w().section().iface(1, 65535).epb(0, 1, pkt(40), 40).b
			order.(binary.ByteOrder).PutUint32(b[len(b)-72+20:], 400)
			return b
		}()
		two := w().section().iface(1, 65535).epb(0, 1, pkt(40), 40)
		second := (&ngBuilder{order: other}).section().iface(228, 65535, (&ngBuilder{order: other}).option(9, []byte{9}), (&ngBuilder{order: other}).option(0, nil))
		second.epb(0, 7_000_000_000, pkt(45), 45).epb(0, 7_500_000_001, pkt(46), 46)
		files["sections in both byte orders"] = append(two.b, second.b...)
		for name, file := range files {
			if want, got := readAll(file, false), readAll(file, true); got != want {
				t.Errorf("%v %s: read\n%.600s\nwant (pcapgo)\n%.600s", order, name, got, want)
			}
			if got := readAll(file, true); got == "" {
				t.Errorf("%v %s: nothing read", order, name)
			}
		}
		// The plain packets were read in place, not all by pcapgo.
		f, err := newReader(bytes.NewReader(files["plain"]), "x.pcapng", true)
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, _, _, err := f.Next(); err != nil {
				break
			}
		}
		if f.ngInPlace.inPlace != 2 {
			t.Errorf("%v: %d packets of 3 read in place, want 2 (pcapgo reads the first, after the interface's description)", order, f.ngInPlace.inPlace)
		}
	}
}

// FuzzNgPackets: any bytes after a pcapng magic read as with pcapgo alone.
func FuzzNgPackets(f *testing.F) {
	for _, name := range []string{"onenet-esp8266.pcapng", "sections.pcapng", "multi-iface.pcapng"} {
		if data, err := os.ReadFile("../testdata/pcaps/" + name); err == nil {
			f.Add(data[:min(len(data), 4000)])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, magicPcapng) {
			return
		}
		if want, got := readAll(data, false), readAll(data, true); got != want {
			t.Fatalf("read\n%.2000s\nwant (pcapgo)\n%.2000s", got, want)
		}
	})
}
