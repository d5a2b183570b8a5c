package stream

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// FuzzFastIPv4TCP checks the hand-written decoder of the common packet
// shape against DecodingLayerParser: on any bytes, as Ethernet or raw
// IPv4, whole or cut by the snap length, what it decodes it decodes as
// the parser does (addresses, ports, every TCP field, payload, the bytes
// the snap length cut).
func FuzzFastIPv4TCP(f *testing.F) {
	for _, seed := range fastLayerSeeds(f) {
		f.Add(seed.first, seed.cut, seed.data)
	}
	f.Fuzz(func(t *testing.T, first bool, cut uint16, data []byte) {
		idx := 0
		if first {
			idx = 4
		}
		ci := gopacket.CaptureInfo{CaptureLength: len(data), Length: len(data) + int(cut)}
		fast := newLayerDecoder()
		got, gotOK, handled := fast.fastIPv4TCP(idx, data, ci)
		slow := newLayerDecoder()
		want, wantOK := slow.parse(idx, data, ci)
		if !handled {
			return // the parser decodes it: nothing to compare
		}
		if gotOK != wantOK {
			t.Fatalf("fast path says TCP = %v, the parser %v (decoded %v)", gotOK, wantOK, slow.decoded)
		}
		if !gotOK {
			return
		}
		if got.src != want.src || got.dst != want.dst || got.missing != want.missing || got.fragment != want.fragment {
			t.Fatalf("fast path %v→%v missing %d, the parser %v→%v missing %d", got.src, got.dst, got.missing, want.src, want.dst, want.missing)
		}
		a, b := got.tcp, want.tcp
		if a.SrcPort != b.SrcPort || a.DstPort != b.DstPort || a.Seq != b.Seq || a.Ack != b.Ack || a.DataOffset != b.DataOffset ||
			a.FIN != b.FIN || a.SYN != b.SYN || a.RST != b.RST || a.PSH != b.PSH || a.ACK != b.ACK || a.URG != b.URG ||
			a.ECE != b.ECE || a.CWR != b.CWR || a.NS != b.NS || a.Window != b.Window || a.Checksum != b.Checksum || a.Urgent != b.Urgent ||
			!bytes.Equal(a.Contents, b.Contents) || !bytes.Equal(a.Payload, b.Payload) || len(a.Options) != len(b.Options) ||
			a.TransportFlow() != b.TransportFlow() {
			t.Fatalf("TCP headers differ:\nfast   %+v\nparser %+v", a, b)
		}
	})
}

type fastLayerSeed struct {
	first bool
	cut   uint16
	data  []byte
}

// fastLayerSeeds are the first packets of the project's Ethernet and raw
// IP captures, and crafted variations of one: padding, TSO's zero length,
// options, fragments, other protocols, cut headers.
func fastLayerSeeds(tb testing.TB) []fastLayerSeed {
	var seeds []fastLayerSeed
	files, _ := filepath.Glob("../testdata/pcaps/*.pcap")
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		r, err := pcapgo.NewReader(fh)
		if err == nil && (r.LinkType() == layers.LinkTypeEthernet || r.LinkType() == layers.LinkTypeRaw) {
			for range 12 {
				data, ci, err := r.ReadPacketData()
				if err != nil {
					break
				}
				seeds = append(seeds, fastLayerSeed{first: r.LinkType() != layers.LinkTypeEthernet, cut: uint16(ci.Length - ci.CaptureLength), data: data})
			}
		}
		fh.Close()
	}
	base := ethIPv4TCP([]byte("\x30\x05\x00\x01ab!"))
	variant := func(f func(b []byte) []byte) {
		b := f(bytes.Clone(base))
		seeds = append(seeds, fastLayerSeed{data: b}, fastLayerSeed{cut: 40, data: b}, fastLayerSeed{first: true, data: b[min(14, len(b)):]})
	}
	variant(func(b []byte) []byte { return b })
	variant(func(b []byte) []byte { return append(b, 0, 0, 0, 0, 0, 0) })                 // Ethernet padding
	variant(func(b []byte) []byte { binary.BigEndian.PutUint16(b[16:], 0); return b })    // TSO: length 0
	variant(func(b []byte) []byte { binary.BigEndian.PutUint16(b[16:], 19); return b })   // too short
	variant(func(b []byte) []byte { binary.BigEndian.PutUint16(b[16:], 1400); return b }) // longer than captured
	variant(func(b []byte) []byte { b[14] = 0x46; return b })                             // options
	variant(func(b []byte) []byte { b[14] = 0x44; return b })                             // IHL below 5
	variant(func(b []byte) []byte { b[20] = 0x20; return b })                             // more fragments
	variant(func(b []byte) []byte { b[21] = 1; return b })                                // fragment offset
	variant(func(b []byte) []byte { b[23] = 17; return b })                               // UDP
	variant(func(b []byte) []byte { b[23] = 41; return b })                               // IPv6 in IPv4
	variant(func(b []byte) []byte { b[46] = 0x40; return b })                             // TCP data offset past the end
	variant(func(b []byte) []byte { b[46] = 0x30; return b })                             // TCP data offset below 5
	variant(func(b []byte) []byte { return b[:14+20+10] })                                // TCP header cut
	variant(func(b []byte) []byte { return b[:14+20] })                                   // no TCP at all
	variant(func(b []byte) []byte { b[12], b[13] = 0x81, 0; return b })                   // VLAN
	return seeds
}

// ethIPv4TCP is an Ethernet frame of an IPv4 TCP segment carrying payload.
func ethIPv4TCP(payload []byte) []byte {
	b := make([]byte, 14+20+20, 14+20+20+len(payload))
	b[12], b[13] = 0x08, 0x00
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+20+len(payload)))
	ip[8], ip[9] = 64, 6
	copy(ip[12:], []byte{192, 168, 1, 10})
	copy(ip[16:], []byte{183, 230, 40, 96})
	tcp := ip[20:]
	binary.BigEndian.PutUint16(tcp[0:], 50312)
	binary.BigEndian.PutUint16(tcp[2:], 1883)
	binary.BigEndian.PutUint32(tcp[4:], 1000)
	binary.BigEndian.PutUint32(tcp[8:], 2000)
	tcp[12], tcp[13] = 0x50, 0x18
	return append(b, payload...)
}

// TestFastIPv4TCPTakesTheCommonShape checks that the fast path, not the
// parser, decodes the common packet (the fuzz target only checks what it
// decodes).
func TestFastIPv4TCPTakesTheCommonShape(t *testing.T) {
	d := newLayerDecoder()
	data := ethIPv4TCP([]byte("\x30\x05\x00\x01ab!"))
	pkt, ok, handled := d.fastIPv4TCP(0, append(data, 0, 0), gopacket.CaptureInfo{CaptureLength: len(data) + 2, Length: len(data) + 2})
	if !handled || !ok || pkt.src.String() != "192.168.1.10:50312" || pkt.dst.String() != "183.230.40.96:1883" || string(pkt.tcp.Payload) != "\x30\x05\x00\x01ab!" {
		t.Fatalf("handled %v ok %v: %v→%v payload %q", handled, ok, pkt.src, pkt.dst, pkt.tcp.Payload)
	}
	if _, _, handled := d.fastIPv4TCP(0, data[:14+20+20-1], gopacket.CaptureInfo{}); !handled {
		t.Errorf("a cut TCP header is not decided by the fast path (it is one shape: not TCP)")
	}
}
