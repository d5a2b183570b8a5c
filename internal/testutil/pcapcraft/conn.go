package pcapcraft

import "net/netip"

// Conn writes one TCP connection, keeping each side's next sequence
// number, so a test says what happens ("the client sends a CONNECT") rather
// than computing sequence numbers.
type Conn struct {
	C        *Capture
	Client   netip.AddrPort
	Server   netip.AddrPort
	Seq      [2]uint32 // next sequence number: 0 client, 1 server
	fromSide int
}

// Conn starts a connection between client and server ("10.0.0.1:50000")
// whose sides will use the initial sequence numbers cisn and sisn.
func (c *Capture) Conn(client, server string, cisn, sisn uint32) *Conn {
	return &Conn{C: c, Client: netip.MustParseAddrPort(client), Server: netip.MustParseAddrPort(server), Seq: [2]uint32{cisn, sisn}}
}

func side(fromClient bool) int {
	if fromClient {
		return 0
	}
	return 1
}

// Seg writes a segment from one side with the given flags, its current
// sequence number, and an ACK of the other side's next byte; the side's
// sequence number moves past the payload (and past SYN and FIN).
func (k *Conn) Seg(fromClient bool, flags uint8, payload []byte) {
	i := side(fromClient)
	s := k.Make(fromClient, flags, payload)
	k.C.TCP(s)
	k.Seq[i] += uint32(len(payload))
	if flags&(SYN|FIN) != 0 {
		k.Seq[i]++
	}
}

// Make returns the segment Seg would write, without writing it or moving
// the sequence number (to write it later, or changed).
func (k *Conn) Make(fromClient bool, flags uint8, payload []byte) Segment {
	i := side(fromClient)
	src, dst := k.Client, k.Server
	if !fromClient {
		src, dst = dst, src
	}
	s := Segment{Src: src, Dst: dst, Seq: k.Seq[i], Flags: flags, Payload: payload}
	if flags&ACK != 0 {
		s.Ack = k.Seq[1-i]
	}
	return s
}

// Handshake writes SYN, SYN+ACK, ACK.
func (k *Conn) Handshake() {
	k.Seg(true, SYN, nil)
	k.Seg(false, SYN|ACK, nil)
	k.Seg(true, ACK, nil)
}

// Send writes data from one side (PSH+ACK).
func (k *Conn) Send(fromClient bool, payload []byte) { k.Seg(fromClient, PSH|ACK, payload) }

// Ack writes a pure ACK from one side.
func (k *Conn) Ack(fromClient bool) { k.Seg(fromClient, ACK, nil) }

// Close writes FIN+ACK from the client, FIN+ACK from the server, and the
// client's last ACK.
func (k *Conn) Close() {
	k.Seg(true, FIN|ACK, nil)
	k.Seg(false, FIN|ACK, nil)
	k.Seg(true, ACK, nil)
}
