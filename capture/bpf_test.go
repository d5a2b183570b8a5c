package capture

import (
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

// frame is one captured packet with what it carries.
type frame struct {
	data []byte
	lt   LinkType
	tcp  bool
	port [2]uint16 // source, destination (TCP)
}

// framesOf reads the frames of a test capture with their ports.
func framesOf(t *testing.T, name string) []frame {
	t.Helper()
	f, err := OpenFile("../testdata/pcaps/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []frame
	for {
		data, _, lt, err := f.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		fr := frame{data: append([]byte(nil), data...), lt: lt}
		p := gopacket.NewPacket(fr.data, lt, gopacket.Default)
		if tcp, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
			fr.tcp, fr.port = true, [2]uint16{uint16(tcp.SrcPort), uint16(tcp.DstPort)}
		}
		out = append(out, fr)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no frames", name)
	}
	return out
}

// ipOffset is where the IP header of a frame of a test capture starts.
func ipOffset(lt LinkType) int {
	_, ip, _ := linkOffsets(lt)
	return ip
}

// withPorts copies a TCP/IPv4 frame and sets both its ports.
func withPorts(fr frame, port uint16) frame {
	d := append([]byte(nil), fr.data...)
	ip := ipOffset(fr.lt)
	tcp := ip + int(d[ip]&0x0f)*4
	binary.BigEndian.PutUint16(d[tcp:], port)
	binary.BigEndian.PutUint16(d[tcp+2:], port)
	return frame{data: d, lt: fr.lt, tcp: true, port: [2]uint16{port, port}}
}

// relink moves the IP packet of an Ethernet frame behind another link
// header: LINKTYPE_RAW (none) or NULL (the address family, host order).
func relink(fr frame, lt LinkType) frame {
	ip := fr.data[ipOffset(fr.lt):]
	var d []byte
	switch lt {
	case layers.LinkTypeRaw:
		d = append(d, ip...)
	case layers.LinkTypeNull:
		d = binary.LittleEndian.AppendUint32(nil, 2) // AF_INET on macOS (little-endian)
		d = append(d, ip...)
	}
	return frame{data: d, lt: lt, tcp: fr.tcp, port: fr.port}
}

// synth builds a packet over Ethernet: IPv4 or IPv6, then TCP or UDP.
func synth(t *testing.T, v6, udp bool, sport, dport uint16) frame {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: make([]byte, 6), DstMAC: make([]byte, 6), EthernetType: layers.EthernetTypeIPv4}
	var ip gopacket.NetworkLayer
	proto := layers.IPProtocolTCP
	if udp {
		proto = layers.IPProtocolUDP
	}
	if v6 {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip = &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto,
			SrcIP: []byte{0xfd, 0, 15: 1}, DstIP: []byte{0xfd, 0, 15: 2}}
	} else {
		ip = &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto, SrcIP: []byte{10, 0, 0, 1}, DstIP: []byte{10, 0, 0, 2}}
	}
	var l4 gopacket.SerializableLayer
	if udp {
		u := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
		u.SetNetworkLayerForChecksum(ip)
		l4 = u
	} else {
		tc := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), ACK: true, PSH: true, Window: 512}
		tc.SetNetworkLayerForChecksum(ip)
		l4 = tc
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		eth, ip.(gopacket.SerializableLayer), l4, gopacket.Payload{0xe0, 0x00})
	if err != nil {
		t.Fatal(err)
	}
	return frame{data: buf.Bytes(), lt: layers.LinkTypeEthernet, tcp: !udp, port: [2]uint16{sport, dport}}
}

// run runs the filter of spec for fr's link type on fr in the x/net/bpf VM.
func run(t *testing.T, spec FilterSpec, fr frame) int {
	t.Helper()
	prog, err := BPFFilter(fr.lt, spec)
	if err != nil {
		t.Fatal(err)
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatalf("%v: %v", fr.lt, err)
	}
	n, err := vm.Run(fr.data)
	if err != nil {
		t.Fatalf("%v: %v", fr.lt, err)
	}
	return n
}

// The filter of every link type live capture gives passes the TCP
// segments of an MQTT port and nothing else: real frames of the test
// captures (Ethernet, Linux SLL and SLL2, and their IP packets as RAW and
// NULL), the same frames moved to port 5353, IPv6 and UDP.
func TestBPFFilterPorts(t *testing.T) {
	spec := FilterSpec{Ports: []uint16{1883, 8883}}
	var frames []frame
	eth := framesOf(t, "onenet-esp8266.pcapng")
	frames = append(frames, eth...)
	frames = append(frames, framesOf(t, "any-sll2.pcap")...)
	frames = append(frames, framesOf(t, "multi-iface.pcapng")...) // Ethernet and SLL
	for _, fr := range eth {
		frames = append(frames, relink(fr, layers.LinkTypeRaw), relink(fr, layers.LinkTypeNull))
	}
	seen := map[LinkType]int{}
	for _, fr := range frames {
		if !fr.tcp || fr.port[0] != 1883 && fr.port[1] != 1883 {
			t.Fatalf("%v frame without MQTT: the test captures are all port 1883", fr.lt)
		}
		seen[fr.lt]++
		if n := run(t, spec, fr); n != DefaultSnaplen {
			t.Errorf("%v 1883 frame: filter returned %d, want %d", fr.lt, n, DefaultSnaplen)
		}
		mdns := withPorts(fr, 5353)
		if n := run(t, spec, mdns); n != 0 {
			t.Errorf("%v 5353 frame passed", fr.lt)
		}
		if n := run(t, FilterSpec{AllTCP: true}, mdns); n == 0 {
			t.Errorf("%v 5353 TCP frame rejected with AllTCP", fr.lt)
		}
	}
	for _, lt := range []LinkType{layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL, layers.LinkTypeLinuxSLL2, layers.LinkTypeRaw, layers.LinkTypeNull} {
		if seen[lt] == 0 {
			t.Errorf("no %v frames tested", lt)
		}
	}

	for _, tt := range []struct {
		name string
		fr   frame
		all  bool
		pass bool
	}{
		{"IPv6 to 1883", synth(t, true, false, 40000, 1883), false, true},
		{"IPv6 from 8883", synth(t, true, false, 8883, 40000), false, true},
		{"IPv6 5353", synth(t, true, false, 5353, 5353), false, false},
		{"IPv6 5353 all TCP", synth(t, true, false, 5353, 5353), true, true},
		{"IPv4 from 1883", synth(t, false, false, 1883, 40000), false, true},
		{"UDP 1883", synth(t, false, true, 1883, 1883), false, false},
		{"UDP 5353 all TCP", synth(t, false, true, 5353, 5353), true, false},
		{"IPv6 UDP 1883", synth(t, true, true, 40000, 1883), false, false},
		{"IPv6 RAW", relink(synth(t, true, false, 40000, 1883), layers.LinkTypeRaw), false, true},
	} {
		spec := FilterSpec{Ports: []uint16{1883, 8883}, AllTCP: tt.all}
		if got := run(t, spec, tt.fr) != 0; got != tt.pass {
			t.Errorf("%s: passed %v, want %v", tt.name, got, tt.pass)
		}
	}
}

// A later IPv4 fragment has no TCP header where the ports would be: it
// passes (for the stream layer to put the datagram back together), and the
// first fragment is filtered by its ports; an IPv6 fragment of a TCP
// datagram passes, of a UDP one not.
func TestBPFFilterFragments(t *testing.T) {
	fr := synth(t, false, false, 40000, 1883)
	later := append([]byte(nil), fr.data...)
	binary.BigEndian.PutUint16(later[14+6:], 0x0010) // fragment offset 16 (x8 bytes)
	if run(t, FilterSpec{Ports: []uint16{1883}}, frame{data: later, lt: fr.lt}) == 0 {
		t.Error("a later fragment was rejected")
	}
	first := append([]byte(nil), fr.data...)
	binary.BigEndian.PutUint16(first[14+6:], 0x2000) // more fragments, offset 0
	if run(t, FilterSpec{Ports: []uint16{1883}}, frame{data: first, lt: fr.lt}) == 0 {
		t.Error("a first fragment was rejected")
	}
	if run(t, FilterSpec{Ports: []uint16{8883}}, frame{data: first, lt: fr.lt}) != 0 {
		t.Error("a first fragment on another port passed")
	}
	for _, udp := range []bool{false, true} {
		v6 := synth(t, true, udp, 40000, 1883)
		// Insert a fragment header after the fixed header: next header 44,
		// then the datagram's protocol.
		d := append([]byte(nil), v6.data[:14+40]...)
		proto := d[14+6]
		d[14+6] = 44
		d = append(d, proto, 0, 0x00, 0x01, 0, 0, 0, 7) // offset 0, more fragments, id 7
		d = append(d, v6.data[14+40:]...)
		if passed := run(t, FilterSpec{Ports: []uint16{1883}}, frame{data: d, lt: v6.lt}) != 0; passed == udp {
			t.Errorf("IPv6 fragment (UDP %v): passed %v", udp, passed)
		}
	}
}

// The loopback prefixes (Linux extensions the VM does not run) come before
// the same port program, and reject what they should: run in the VM with
// the extension loads replaced by the values the kernel would load.
func TestBPFFilterOutgoing(t *testing.T) {
	fr := synth(t, false, false, 40000, 1883)
	base, err := BPFFilter(fr.lt, FilterSpec{Ports: []uint16{1883}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		spec   FilterSpec
		prefix int
		cases  []struct{ pkttype, ifindex uint32 }
		pass   []bool
	}{
		{"lo", FilterSpec{Ports: []uint16{1883}, DropOutgoing: true}, 2,
			[]struct{ pkttype, ifindex uint32 }{{0, 1}, {packetOutgoing, 1}}, []bool{true, false}},
		{"any", FilterSpec{Ports: []uint16{1883}, DropOutgoingOn: []int{1, 7}}, 5,
			[]struct{ pkttype, ifindex uint32 }{{0, 1}, {packetOutgoing, 1}, {packetOutgoing, 7}, {packetOutgoing, 2}, {0, 2}},
			[]bool{true, false, false, true, true}},
	} {
		prog, err := BPFFilter(fr.lt, tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bpf.Assemble(prog); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if prog[0] != (bpf.LoadExtension{Num: bpf.ExtType}) {
			t.Errorf("%s: starts with %v, want the packet type", tt.name, prog[0])
		}
		if !reflect.DeepEqual(prog[tt.prefix:], base) {
			t.Errorf("%s: the port program after the prefix differs", tt.name)
		}
		for i, c := range tt.cases {
			sim := append([]bpf.Instruction(nil), prog...)
			for j, ins := range sim {
				switch ins {
				case bpf.LoadExtension{Num: bpf.ExtType}:
					sim[j] = bpf.LoadConstant{Dst: bpf.RegA, Val: c.pkttype}
				case bpf.LoadExtension{Num: bpf.ExtInterfaceIndex}:
					sim[j] = bpf.LoadConstant{Dst: bpf.RegA, Val: c.ifindex}
				}
			}
			vm, err := bpf.NewVM(sim)
			if err != nil {
				t.Fatal(err)
			}
			n, err := vm.Run(fr.data)
			if err != nil {
				t.Fatal(err)
			}
			if (n != 0) != tt.pass[i] {
				t.Errorf("%s: packet type %d on interface %d: passed %v, want %v", tt.name, c.pkttype, c.ifindex, n != 0, tt.pass[i])
			}
		}
	}
}

func TestBPFFilterLimits(t *testing.T) {
	ports := make([]uint16, MaxFilterPorts)
	for i := range ports {
		ports[i] = uint16(1000 + i)
	}
	prog, err := BPFFilter(layers.LinkTypeEthernet, FilterSpec{Ports: ports})
	if err != nil {
		t.Fatalf("%d ports: %v", len(ports), err)
	}
	fr := withPorts(synth(t, false, false, 1, 1), ports[len(ports)-1])
	vm, _ := bpf.NewVM(prog)
	if n, _ := vm.Run(fr.data); n == 0 {
		t.Error("the last port is rejected")
	}
	if _, err := BPFFilter(layers.LinkTypeEthernet, FilterSpec{Ports: append(ports, 1)}); err == nil {
		t.Error("too many ports: no error")
	}
	if _, err := BPFFilter(layers.LinkTypeEthernet, FilterSpec{}); err == nil {
		t.Error("no ports: no error")
	}
	if _, err := BPFFilter(layers.LinkTypeIEEE80211Radio, FilterSpec{Ports: []uint16{1883}}); err == nil {
		t.Error("radiotap: no error")
	}
	if got := (FilterSpec{Ports: []uint16{1883, 8883}}).String(); got != "tcp port 1883 or tcp port 8883" {
		t.Errorf("String: %q", got)
	}
}
