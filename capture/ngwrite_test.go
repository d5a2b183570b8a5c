package capture

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// Packets of two interfaces with their own link types read back with their
// interface ids, link types, timestamps and bytes; an empty capture is
// still a valid file.
func TestNgWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewNgWriter(&buf, "any", layers.LinkTypeRaw, "tcp port 1883")
	lo, err := w.AddInterface("lo", layers.LinkTypeEthernet)
	if err != nil || lo != 0 {
		t.Fatalf("first interface: %d %v", lo, err)
	}
	eth, err := w.AddInterface("eth0", layers.LinkTypeRaw)
	if err != nil || eth != 1 {
		t.Fatalf("second interface: %d %v", eth, err)
	}
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC)
	pkts := []struct {
		iface int
		data  []byte
	}{{lo, []byte{1, 2, 3}}, {eth, []byte{0x45, 0, 0}}, {lo, []byte{4, 5, 6, 7}}}
	for i, p := range pkts {
		ci := CaptureInfo{Timestamp: t0.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(p.data), Length: len(p.data) + 10, InterfaceIndex: p.iface}
		if err := w.WritePacket(ci, p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f, err := NewReader(&buf, "test")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		data, ci, lt, err := f.Next()
		if err != nil {
			t.Fatal(err)
		}
		want := LinkType(layers.LinkTypeEthernet)
		if p.iface == eth {
			want = layers.LinkTypeRaw
		}
		if !bytes.Equal(data, p.data) || ci.InterfaceIndex != p.iface || lt != want ||
			!ci.Timestamp.Equal(t0.Add(time.Duration(i)*time.Millisecond)) || ci.Length != len(p.data)+10 {
			t.Errorf("packet %d: %x %+v %v", i, data, ci, lt)
		}
	}
	if _, _, _, err := f.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("after the packets: %v", err)
	}

	buf.Reset()
	if err := NewNgWriter(&buf, "lo", layers.LinkTypeEthernet, "tcp").Flush(); err != nil {
		t.Fatal(err)
	}
	f, err = NewReader(&buf, "empty")
	if err != nil {
		t.Fatalf("empty capture: %v", err)
	}
	if _, _, _, err := f.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("empty capture: %v", err)
	}
}
