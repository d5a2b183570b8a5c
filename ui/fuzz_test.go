package ui

import (
	"testing"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// FuzzDecodeBlob feeds arbitrary bytes to the spill's record decoder: it
// must never panic, and what it accepts must render.
func FuzzDecodeBlob(f *testing.F) {
	for _, name := range []string{"onenet-esp8266.pcapng", "mosquitto-v5.pcapng", "onenet-length-bug.pcap", "snaplen-96.pcap"} {
		ix := indexOf(f, name)
		rd := ix.spill.reader()
		for i := range ix.Len() {
			b, err := rd.blob(ix.Entry(i).off)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(append([]byte(nil), b...))
		}
	}
	v := report.NewView(report.ViewOptions{Width: 80})
	f.Fuzz(func(t *testing.T, b []byte) {
		var dc decode.Decoder
		bl, err := decodeBlob(b, &dc, false)
		if err != nil || bl.packet == nil {
			return
		}
		r := &pipeline.Record{Kind: pipeline.KindPacket, Packet: bl.packet, OneNET: bl.onenet, Conn: nil}
		v.ListLine(nil, r)
		for i := range bl.packet.Fields {
			v.FieldLine(nil, bl.packet, i)
		}
		v.Hexdump(nil, r, decode.Span{Off: 0, Len: 1})
	})
}
