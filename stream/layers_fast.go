package stream

import (
	"encoding/binary"
	"net/netip"

	"github.com/gopacket/gopacket"
)

// Nearly every packet of a capture is the same shape: Ethernet II (or raw
// IP), IPv4 without options and not a fragment, TCP. Going through
// DecodingLayerParser for it (a layer at a time, each through an
// interface, then the list of layers decoded looked through) was an eighth
// of the stream side's time. fastIPv4TCP decodes that shape by hand, with
// the parser's own rules, and hands anything else to the parser:
// FuzzFastIPv4TCP checks that both give the same result on any bytes.

const (
	etherTypeIPv4  = 0x0800
	ipProtocolTCP  = 6
	ipv4HeaderSize = 20 // without options
)

// fastIPv4TCP decodes data when its first layer (the first index of
// firstLayers: 0 Ethernet, 4 IPv4) leads to an IPv4 header without
// options carrying TCP. handled is false when it does not: then nothing
// is decided, and the parser decodes the packet. When handled, ok says
// whether pkt is a TCP segment, as decode would.
func (d *layerDecoder) fastIPv4TCP(first int, data []byte, ci gopacket.CaptureInfo) (pkt tcpPacket, ok, handled bool) {
	ip := data
	switch first {
	case 0:
		if len(data) < 14 || binary.BigEndian.Uint16(data[12:14]) != etherTypeIPv4 {
			return pkt, false, false
		}
		ip = data[14:]
	case 4:
	default:
		return pkt, false, false
	}
	if len(ip) < ipv4HeaderSize || ip[0]&0x0f != 5 || ip[9] != ipProtocolTCP {
		return pkt, false, false
	}
	if flagsFrag := binary.BigEndian.Uint16(ip[6:8]); flagsFrag&0x3fff != 0 { // more fragments, or an offset
		return pkt, false, false
	}
	// The declared length, as gopacket reads it: 0 (TCP segmentation
	// offload) stands for the bytes captured, kept to 16 bits.
	declared := int(binary.BigEndian.Uint16(ip[2:4]))
	length := declared
	if length == 0 {
		length = len(ip)
		declared = min(length, 0xffff)
	}
	if length < ipv4HeaderSize {
		return pkt, false, false
	}
	if len(ip) > length {
		ip = ip[:length] // link layer padding
	}
	segment := ip[ipv4HeaderSize:]
	if len(segment) == 0 {
		return pkt, false, true // the parser stops before TCP
	}
	if !d.decodeTCP(segment) {
		return pkt, false, true
	}
	pkt.src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[12:16])), uint16(d.tcp.SrcPort))
	pkt.dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[16:20])), uint16(d.tcp.DstPort))
	pkt.tcp = &d.tcp
	pkt.missing = snaplenMissing(&d.tcp, declared-ipv4HeaderSize, ci)
	return pkt, true, true
}

// decodeTCP decodes a TCP header into d.tcp; a panic counts as an error,
// as DecodingLayerParser counts it.
func (d *layerDecoder) decodeTCP(b []byte) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return d.tcp.DecodeFromBytes(b, &d.truncate) == nil
}
