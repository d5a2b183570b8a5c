package pipeline_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// Every capture format and link type mqttpcap reads gives the same MQTT
// packets: the seed session (a real capture) is rewritten into each of them.

type rec struct {
	ci   gopacket.CaptureInfo
	data []byte // Ethernet frame
}

func readRecords(t *testing.T, path string) []rec {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	var out []rec
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		ci.AncillaryData = nil
		out = append(out, rec{ci, data})
	}
	return out
}

// linkFrame turns an Ethernet/IPv4 frame into the same packet on another
// link type (and, for ipv6, another IP version).
func linkFrame(t *testing.T, eth []byte, lt layers.LinkType, ipv6 bool) []byte {
	ip := eth[14:]
	if ipv6 {
		ip = toIPv6(ip)
	}
	family4 := func(order binary.ByteOrder, af uint32) []byte {
		b := make([]byte, 4)
		order.PutUint32(b, af)
		return append(b, ip...)
	}
	etherType := uint16(0x0800)
	if ipv6 {
		etherType = 0x86dd
	}
	switch lt {
	case layers.LinkTypeEthernet:
		h := append([]byte{}, eth[:12]...)
		return append(binary.BigEndian.AppendUint16(h, etherType), ip...)
	case layers.LinkTypeRaw, layers.LinkTypeIPv4, layers.LinkTypeIPv6:
		return append([]byte{}, ip...)
	case layers.LinkTypeNull: // host byte order (here little endian); AF_INET6 as on Linux and macOS differ: use 30 (Darwin)
		if ipv6 {
			return family4(binary.LittleEndian, 30)
		}
		return family4(binary.LittleEndian, 2)
	case layers.LinkTypeLoop: // network byte order (OpenBSD): AF_INET6 = 24
		if ipv6 {
			return family4(binary.BigEndian, 24)
		}
		return family4(binary.BigEndian, 2)
	case layers.LinkTypeLinuxSLL:
		h := make([]byte, 16)
		binary.BigEndian.PutUint16(h[0:], 0)   // packet type: to us
		binary.BigEndian.PutUint16(h[2:], 772) // ARPHRD_LOOPBACK
		binary.BigEndian.PutUint16(h[4:], 6)
		binary.BigEndian.PutUint16(h[14:], etherType)
		return append(h, ip...)
	case layers.LinkTypeLinuxSLL2:
		h := make([]byte, 20)
		binary.BigEndian.PutUint16(h[0:], etherType)
		binary.BigEndian.PutUint32(h[4:], 1)   // interface index
		binary.BigEndian.PutUint16(h[8:], 772) // ARPHRD_LOOPBACK
		h[11] = 6
		return append(h, ip...)
	}
	t.Fatalf("link type %v", lt)
	return nil
}

// toIPv6 rewrites an IPv4 packet as IPv6 (fd00::1 and fd00::2 in place of
// the two addresses); checksums are not recomputed (mqttpcap ignores them).
func toIPv6(ip4 []byte) []byte {
	ihl := int(ip4[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(ip4[2:]))
	payload := ip4[ihl:min(total, len(ip4))]
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(total-ihl))
	h[6], h[7] = 6, 64
	h[8], h[23] = 0xfd, ip4[15]
	h[24], h[39] = 0xfd, ip4[19]
	return append(h, payload...)
}

func writePcap(t *testing.T, recs []rec, lt layers.LinkType, nanos bool, ipv6 bool) []byte {
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if nanos {
		w = pcapgo.NewWriterNanos(&buf)
	}
	if err := w.WriteFileHeader(65535, lt); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		data := linkFrame(t, r.data, lt, ipv6)
		ci := r.ci
		ci.CaptureLength, ci.Length = len(data), len(data)
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// writePcapBigEndian writes a classic pcap in big-endian byte order, which
// pcapgo's writer does not produce.
func writePcapBigEndian(recs []rec) []byte {
	be := binary.BigEndian
	b := be.AppendUint32(nil, 0xa1b2c3d4)
	b = be.AppendUint16(b, 2)
	b = be.AppendUint16(b, 4)
	b = be.AppendUint32(b, 0)
	b = be.AppendUint32(b, 0)
	b = be.AppendUint32(b, 65535)
	b = be.AppendUint32(b, uint32(layers.LinkTypeEthernet))
	for _, r := range recs {
		b = be.AppendUint32(b, uint32(r.ci.Timestamp.Unix()))
		b = be.AppendUint32(b, uint32(r.ci.Timestamp.Nanosecond()/1000))
		b = be.AppendUint32(b, uint32(len(r.data)))
		b = be.AppendUint32(b, uint32(len(r.data)))
		b = append(b, r.data...)
	}
	return b
}

// writePcapng writes a pcapng with one interface per link type given; every
// packet is written once per interface.
func writePcapng(t *testing.T, recs []rec, lts ...layers.LinkType) []byte {
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{Name: "if0", LinkType: lts[0], SnapLength: 65535}, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, lt := range lts[1:] {
		if _, err := w.AddInterface(pcapgo.NgInterface{Name: fmt.Sprint("if", lt), LinkType: lt, SnapLength: 65535}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range recs {
		for i, lt := range lts {
			data := linkFrame(t, r.data, lt, lt == layers.LinkTypeIPv6)
			ci := r.ci
			ci.CaptureLength, ci.Length, ci.InterfaceIndex = len(data), len(data), i
			if err := w.WritePacket(ci, data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type seen struct {
	stream int
	iface  int
	hex    string
}

func decodeBytes(t *testing.T, capture_ []byte) []seen {
	t.Helper()
	src, err := capture.NewReader(bytes.NewReader(capture_), "test")
	if err != nil {
		t.Fatal(err)
	}
	var out []seen
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Kind == pipeline.KindPacket {
			if len(r.Packet.Problems) != 0 {
				t.Errorf("problems in %s: %+v", r.Packet.Type, r.Packet.Problems)
			}
			out = append(out, seen{r.Conn.Stream, r.Conn.Interface, hex.EncodeToString(r.Packet.Raw)})
		}
		return nil
	})
	if err := pipeline.New(pipeline.DefaultOptions(), sink).Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCaptureFormats(t *testing.T) {
	recs := readRecords(t, "../testdata/pcaps/onenet-esp8266.pcapng")
	base := decodeBytes(t, writePcap(t, recs, layers.LinkTypeEthernet, false, false))
	if len(base) != 6 {
		t.Fatalf("seed session: %d MQTT packets, want 6 (CONNECT, CONNACK, SUBSCRIBE, SUBACK, PUBLISH, DISCONNECT)", len(base))
	}
	ethVLAN := func() []byte {
		var buf bytes.Buffer
		w := pcapgo.NewWriter(&buf)
		w.WriteFileHeader(65535, layers.LinkTypeEthernet)
		for _, r := range recs {
			d := append(append(append([]byte{}, r.data[:12]...), 0x81, 0x00, 0x00, 0x2a), r.data[12:]...)
			ci := r.ci
			ci.CaptureLength, ci.Length = len(d), len(d)
			w.WritePacket(ci, d)
		}
		return buf.Bytes()
	}
	variants := []struct {
		name    string
		capture []byte
		streams int
	}{
		{"pcap µs little endian", writePcap(t, recs, layers.LinkTypeEthernet, false, false), 1},
		{"pcap ns", writePcap(t, recs, layers.LinkTypeEthernet, true, false), 1},
		{"pcap big endian", writePcapBigEndian(recs), 1},
		{"pcap gzip", gz(t, writePcap(t, recs, layers.LinkTypeEthernet, true, false)), 1},
		{"pcapng", writePcapng(t, recs, layers.LinkTypeEthernet), 1},
		{"pcapng gzip", gz(t, writePcapng(t, recs, layers.LinkTypeEthernet)), 1},
		{"Ethernet with VLAN", ethVLAN(), 1},
		{"Ethernet IPv6", writePcap(t, recs, layers.LinkTypeEthernet, false, true), 1},
		{"RAW", writePcap(t, recs, layers.LinkTypeRaw, false, false), 1},
		{"RAW IPv6", writePcap(t, recs, layers.LinkTypeRaw, false, true), 1},
		{"NULL (macOS lo0)", writePcap(t, recs, layers.LinkTypeNull, false, false), 1},
		{"NULL IPv6", writePcap(t, recs, layers.LinkTypeNull, false, true), 1},
		{"LOOP", writePcap(t, recs, layers.LinkTypeLoop, false, false), 1},
		{"LOOP IPv6", writePcap(t, recs, layers.LinkTypeLoop, false, true), 1},
		{"Linux SLL", writePcap(t, recs, layers.LinkTypeLinuxSLL, false, false), 1},
		{"Linux SLL2 (tcpdump -i any)", writePcap(t, recs, layers.LinkTypeLinuxSLL2, false, false), 1},
		{"pcapng LINKTYPE_IPV4 (228)", writePcapng(t, recs, layers.LinkTypeIPv4), 1},
		{"pcapng LINKTYPE_IPV6 (229)", writePcapng(t, recs, layers.LinkTypeIPv6), 1},
		// The same traffic on three interfaces of different link types: three
		// connections, not one with every packet three times; one stream
		// number, as in Wireshark, which does not tell interfaces apart.
		{"pcapng Ethernet + SLL2 + IPv4", writePcapng(t, recs, layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL2, layers.LinkTypeIPv4), 3},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			got := decodeBytes(t, v.capture)
			if len(got) != len(base)*v.streams {
				t.Fatalf("%d MQTT packets, want %d", len(got), len(base)*v.streams)
			}
			for s := 0; s < v.streams; s++ {
				var hexes []string
				for _, g := range got {
					if g.stream != 0 {
						t.Errorf("stream %d, want 0", g.stream)
					}
					if g.iface == s {
						hexes = append(hexes, g.hex)
					}
				}
				var want []string
				for _, b := range base {
					want = append(want, b.hex)
				}
				if !slices.Equal(hexes, want) {
					t.Errorf("interface %d: packets differ:\n got %v\nwant %v", s, hexes, want)
				}
			}
		})
	}
}
