package stream

import (
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Link types without a gopacket decoder of their own, mapped by hand
// (go-stack.md §2: LINKTYPE_IPV4/IPV6 have no decoder; DLT_RAW is 12 or 14
// depending on the OS).
const (
	linkTypeRawBSD     layers.LinkType = 12
	linkTypeRawOpenBSD layers.LinkType = 14
)

// tcpPacket is what the link, IP and TCP layers of one packet give.
type tcpPacket struct {
	src, dst netip.AddrPort
	tcp      *layers.TCP
	// missing is how many TCP payload bytes the snap length cut off.
	missing int
	// fragment is set for an IP fragment of a TCP datagram (then frag is
	// the fragment, and tcp is nil).
	fragment bool
	frag     fragment
}

// layerDecoder decodes link, IP and TCP headers with DecodingLayerParser,
// reusing its layers (no allocation per packet).
type layerDecoder struct {
	eth      layers.Ethernet
	dot1q    layers.Dot1Q
	sll      layers.LinuxSLL
	sll2     layers.LinuxSLL2
	loop     layers.Loopback
	ip4      layers.IPv4
	ip6      layers.IPv6
	ip6ext   layers.IPv6ExtensionSkipper
	tcp      layers.TCP
	fragTCP  layers.TCP // the TCP header of a datagram put back together
	payload  gopacket.Payload
	parsers  [6]*gopacket.DecodingLayerParser // by firstLayers index
	decoded  []gopacket.LayerType
	truncate truncFeedback
}

type truncFeedback struct{ truncated bool }

func (t *truncFeedback) SetTruncated() { t.truncated = true }

// firstLayers are the layers a packet can start with, by link type.
var firstLayers = [6]gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL,
	layers.LayerTypeLinuxSLL2, layers.LayerTypeLoopback, layers.LayerTypeIPv4, layers.LayerTypeIPv6}

func newLayerDecoder() *layerDecoder {
	d := &layerDecoder{}
	for i, first := range firstLayers {
		// A slice indexed by layer type finds each next decoder: the
		// default map lookup was a third of the layers' time.
		p := gopacket.NewDecodingLayerParser(first)
		p.SetDecodingLayerContainer(gopacket.DecodingLayerSparse(nil))
		for _, l := range []gopacket.DecodingLayer{&d.eth, &d.dot1q, &d.sll, &d.sll2, &d.loop,
			&d.ip4, &d.ip6, &d.ip6ext, &d.tcp, &d.payload} {
			p.AddDecodingLayer(l)
		}
		p.IgnoreUnsupported = true
		d.parsers[i] = p
	}
	d.decoded = make([]gopacket.LayerType, 0, 8)
	return d
}

// firstLayer picks the index in firstLayers of the layer a link type starts
// with; ok is false for link types mqttpcap cannot read.
func firstLayer(lt layers.LinkType, data []byte) (int, bool) {
	switch lt {
	case layers.LinkTypeEthernet:
		return 0, true
	case layers.LinkTypeLinuxSLL:
		return 1, true
	case layers.LinkTypeLinuxSLL2:
		return 2, true
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return 3, true
	case layers.LinkTypeIPv4:
		return 4, true
	case layers.LinkTypeIPv6:
		return 5, true
	case layers.LinkTypeRaw, linkTypeRawBSD, linkTypeRawOpenBSD:
		if len(data) > 0 && data[0]>>4 == 6 {
			return 5, true
		}
		return 4, true
	}
	return 0, false
}

// LinkTypeSupported reports whether packets of link type lt can be decoded.
func LinkTypeSupported(lt layers.LinkType) bool {
	_, ok := firstLayer(lt, nil)
	return ok
}

// decode returns the TCP segment in data, if it holds one. ok is false for
// anything else (ARP, UDP, an unsupported link type, headers cut short).
func (d *layerDecoder) decode(lt layers.LinkType, data []byte, ci gopacket.CaptureInfo) (tcpPacket, bool) {
	first, ok := firstLayer(lt, data)
	if !ok {
		return tcpPacket{}, false
	}
	if pkt, ok, handled := d.fastIPv4TCP(first, data, ci); handled {
		return pkt, ok
	}
	return d.parse(first, data, ci)
}

// parse decodes data with DecodingLayerParser, starting at firstLayers[first].
func (d *layerDecoder) parse(first int, data []byte, ci gopacket.CaptureInfo) (tcpPacket, bool) {
	p := d.parsers[first]
	d.decoded = d.decoded[:0]
	d.truncate.truncated = false
	p.DecodingLayerParserOptions.IgnoreUnsupported = true
	_ = p.DecodeLayers(data, &d.decoded)
	var pkt tcpPacket
	var isTCP, is4, is6 bool
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeIPv4:
			is4 = true
		case layers.LayerTypeIPv6:
			is6 = true
		case layers.LayerTypeTCP:
			isTCP = true
		}
	}
	// A fragment is checked for before TCP: gopacket decodes the TCP
	// header of an IPv6 fragment's data, whatever offset it has.
	switch {
	case is4 && (d.ip4.Flags&layers.IPv4MoreFragments != 0 || d.ip4.FragOffset != 0):
		if d.ip4.Protocol != layers.IPProtocolTCP {
			return pkt, false
		}
		src, _ := netip.AddrFromSlice(d.ip4.SrcIP.To4())
		dst, _ := netip.AddrFromSlice(d.ip4.DstIP.To4())
		pkt.fragment = true
		pkt.frag = fragment{src: src, dst: dst, id: uint32(d.ip4.Id), offset: int(d.ip4.FragOffset) * 8,
			more: d.ip4.Flags&layers.IPv4MoreFragments != 0, data: d.ip4.Payload,
			cut: len(d.ip4.Payload) < int(d.ip4.Length)-int(d.ip4.IHL)*4}
		return pkt, false
	case is6:
		if f, ok := d.ip6Fragment(); ok {
			if !f.tcp {
				return pkt, false
			}
			pkt.fragment, pkt.frag = true, f.fragment
			return pkt, false
		}
	}
	if !isTCP {
		return pkt, false
	}
	// The IP payload length the headers declare tells how much of the TCP
	// payload the snap length cut.
	declared := -1
	switch {
	case is4:
		src, _ := netip.AddrFromSlice(d.ip4.SrcIP.To4())
		dst, _ := netip.AddrFromSlice(d.ip4.DstIP.To4())
		pkt.src, pkt.dst = netip.AddrPortFrom(src, uint16(d.tcp.SrcPort)), netip.AddrPortFrom(dst, uint16(d.tcp.DstPort))
		if d.ip4.Length != 0 {
			declared = int(d.ip4.Length) - int(d.ip4.IHL)*4
		}
	case is6:
		src, _ := netip.AddrFromSlice(d.ip6.SrcIP.To16())
		dst, _ := netip.AddrFromSlice(d.ip6.DstIP.To16())
		pkt.src, pkt.dst = netip.AddrPortFrom(src, uint16(d.tcp.SrcPort)), netip.AddrPortFrom(dst, uint16(d.tcp.DstPort))
		if d.ip6.Length != 0 {
			// Extension headers sit between the IPv6 payload start and TCP.
			ext := offsetIn(d.ip6.Payload, d.tcp.Contents)
			declared = int(d.ip6.Length) - ext
		}
	default:
		return pkt, false
	}
	pkt.tcp = &d.tcp
	if declared >= 0 {
		pkt.missing = snaplenMissing(&d.tcp, declared, ci)
	}
	return pkt, true
}

// snaplenMissing is how many bytes of tcp's payload the snap length cut,
// from the length the IP header declares for the TCP segment.
func snaplenMissing(tcp *layers.TCP, declared int, ci gopacket.CaptureInfo) int {
	if ci.CaptureLength < ci.Length {
		if want := declared - len(tcp.Contents); want > len(tcp.Payload) {
			return want - len(tcp.Payload)
		}
	}
	return 0
}

// offsetIn is the offset of sub within whole, both slices of one buffer.
func offsetIn(whole, sub []byte) int {
	off := cap(whole) - cap(sub)
	if off < 0 || off > len(whole) {
		return 0
	}
	return off
}

// ip6Frag is an IPv6 fragment, and whether its datagram is TCP.
type ip6Frag struct {
	fragment
	tcp bool
}

// ip6Fragment finds a fragment header in the IPv6 packet just decoded,
// after any hop-by-hop, routing and destination options headers. tcp says
// the fragmented datagram is TCP.
func (d *layerDecoder) ip6Fragment() (ip6Frag, bool) {
	var out ip6Frag
	next, b := d.ip6.NextHeader, d.ip6.Payload
	ext := 0 // bytes of extension headers before the fragment header
	for range 8 {
		switch next {
		case layers.IPProtocolIPv6HopByHop, layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination:
			if len(b) < 2 || len(b) < (int(b[1])+1)*8 {
				return out, false
			}
			n := (int(b[1]) + 1) * 8
			next, b, ext = layers.IPProtocol(b[0]), b[n:], ext+n
		case layers.IPProtocolIPv6Fragment:
			if len(b) < 8 {
				return out, false
			}
			fo := uint16(b[2])<<8 | uint16(b[3])
			src, _ := netip.AddrFromSlice(d.ip6.SrcIP.To16())
			dst, _ := netip.AddrFromSlice(d.ip6.DstIP.To16())
			out.tcp = layers.IPProtocol(b[0]) == layers.IPProtocolTCP
			out.fragment = fragment{v6: true, src: src, dst: dst, id: uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7]),
				offset: int(fo &^ 7), more: fo&1 != 0, data: b[8:], cut: len(d.ip6.Payload) < int(d.ip6.Length)}
			return out, true
		default:
			return out, false
		}
	}
	return out, false
}

// datagramTCP decodes the TCP segment of a datagram put back together from
// fragments f (the last one).
func (d *layerDecoder) datagramTCP(f fragment, payload []byte) (tcpPacket, bool) {
	if err := d.fragTCP.DecodeFromBytes(payload, gopacket.NilDecodeFeedback); err != nil {
		return tcpPacket{}, false
	}
	return tcpPacket{src: netip.AddrPortFrom(f.src, uint16(d.fragTCP.SrcPort)), dst: netip.AddrPortFrom(f.dst, uint16(d.fragTCP.DstPort)),
		tcp: &d.fragTCP}, true
}
