package hexin

import (
	"encoding/binary"
	"net/netip"
)

// mqttPorts are the server ports that tell a frame's direction.
var mqttPorts = map[uint16]bool{1883: true, 8883: true, 6002: true, 1884: true}

// frameConns sorts whole frames (Ethernet, Linux cooked, or IP, as
// Wireshark copies a frame) into connections by their TCP 4-tuple and
// keeps their payload.
type frameConns struct {
	in    *Input
	byKey map[[2]netip.AddrPort]int
}

func newFrameConns(in *Input) *frameConns {
	return &frameConns{in: in, byKey: map[[2]netip.AddrPort]int{}}
}

// add takes b if it is a TCP frame and reports whether it was one; frames
// without payload (SYN, ACK) are taken and dropped.
func (f *frameConns) add(b []byte, line int) bool {
	payload, src, dst, ok := tcpPayload(b)
	if !ok {
		return false
	}
	client, server, d := src, dst, DirClient
	switch {
	case mqttPorts[src.Port()] && !mqttPorts[dst.Port()]:
		client, server, d = dst, src, DirServer
	case !mqttPorts[dst.Port()]:
		d = DirUnknown
	}
	key := [2]netip.AddrPort{client, server}
	conn, seen := f.byKey[key]
	if !seen {
		if len(f.byKey) == 0 && len(f.in.Segments) == 0 {
			conn = 0 // the input's first connection
		} else {
			f.in.Conns = append(f.in.Conns, Conn{})
			conn = len(f.in.Conns) - 1
		}
		f.byKey[key] = conn
		f.in.Conns[conn].Client, f.in.Conns[conn].ServerAddr = client, server
		f.in.Conns[conn].Server = server.String()
	}
	if len(payload) > 0 {
		f.in.Segments = append(f.in.Segments, Segment{Conn: conn, Dir: d, Data: payload, Line: line})
	}
	return true
}

// tcpPayload finds the TCP payload of a frame: Ethernet (with VLAN tags),
// Linux cooked (SLL), or a bare IPv4 or IPv6 packet. Every length must add
// up, so MQTT bytes are not taken for a frame.
func tcpPayload(b []byte) ([]byte, netip.AddrPort, netip.AddrPort, bool) {
	if p, s, d, ok := ipPayload(b); ok {
		return p, s, d, true
	}
	// Ethernet: the EtherType at 12, after VLAN tags.
	for off := 12; off+2 <= len(b) && off <= 20; off += 4 {
		et := binary.BigEndian.Uint16(b[off:])
		if et == 0x8100 || et == 0x88a8 {
			continue
		}
		if et == 0x0800 || et == 0x86dd {
			if p, s, d, ok := ipPayload(b[off+2:]); ok {
				return p, s, d, true
			}
		}
		break
	}
	// Linux cooked capture (SLL): the protocol at 14.
	if len(b) > 16 && (binary.BigEndian.Uint16(b[14:]) == 0x0800 || binary.BigEndian.Uint16(b[14:]) == 0x86dd) {
		return ipPayload(b[16:])
	}
	return nil, netip.AddrPort{}, netip.AddrPort{}, false
}

func ipPayload(b []byte) ([]byte, netip.AddrPort, netip.AddrPort, bool) {
	var src, dst netip.Addr
	var seg []byte
	switch {
	case len(b) >= 20 && b[0]>>4 == 4:
		ihl := int(b[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(b[2:]))
		if ihl < 20 || total < ihl || total != len(b) || b[9] != 6 {
			return nil, netip.AddrPort{}, netip.AddrPort{}, false
		}
		src, dst = netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20]))
		seg = b[ihl:total]
	case len(b) >= 40 && b[0]>>4 == 6:
		if b[6] != 6 || 40+int(binary.BigEndian.Uint16(b[4:])) != len(b) {
			return nil, netip.AddrPort{}, netip.AddrPort{}, false
		}
		src, dst = netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40]))
		seg = b[40:]
	default:
		return nil, netip.AddrPort{}, netip.AddrPort{}, false
	}
	if len(seg) < 20 {
		return nil, netip.AddrPort{}, netip.AddrPort{}, false
	}
	hl := int(seg[12]>>4) * 4
	if hl < 20 || hl > len(seg) {
		return nil, netip.AddrPort{}, netip.AddrPort{}, false
	}
	sp, dp := binary.BigEndian.Uint16(seg), binary.BigEndian.Uint16(seg[2:])
	return seg[hl:], netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp), true
}
