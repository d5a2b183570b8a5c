package stream

import (
	"encoding/binary"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// syntheticTCP builds a TCP segment for reassembly from scratch: an ACK,
// or a RST when rst is set. It is decoded from real header bytes because
// gopacket keys connections by TCP.TransportFlow, which reads ports kept
// by DecodeFromBytes, not the SrcPort and DstPort fields.
func syntheticTCP(src, dst layers.TCPPort, seq, ack uint32, rst bool, payload []byte) *layers.TCP {
	buf := make([]byte, 20+len(payload))
	binary.BigEndian.PutUint16(buf[0:], uint16(src))
	binary.BigEndian.PutUint16(buf[2:], uint16(dst))
	binary.BigEndian.PutUint32(buf[4:], seq)
	binary.BigEndian.PutUint32(buf[8:], ack)
	buf[12] = 5 << 4 // data offset: 5 words, no options
	buf[13] = 0x10   // ACK
	if rst {
		buf[13] = 0x04 // RST
	}
	binary.BigEndian.PutUint16(buf[14:], 0xffff)
	copy(buf[20:], payload)
	tcp := &layers.TCP{}
	if err := tcp.DecodeFromBytes(buf, gopacket.NilDecodeFeedback); err != nil {
		panic("stream: synthetic TCP header does not decode: " + err.Error()) // cannot happen: the header is well formed
	}
	return tcp
}
