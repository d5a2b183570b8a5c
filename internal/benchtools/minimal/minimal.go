// Package minimal is the baseline every read-path figure of `make bench`
// is divided by: the least a tool must do to find MQTT packets in a
// capture. It reads the file with pcapgo, decodes Ethernet/IPv4/IPv6/TCP
// with a DecodingLayerParser, reassembles every TCP connection with
// gopacket's reassembly (one reused context: no allocation per packet) and
// walks the MQTT fixed headers of each direction to count packets. It
// decodes no field, checks nothing and prints nothing: mqttpcap's cost is
// measured as a ratio to it, in the same run, on the same machine.
package minimal

import (
	"errors"
	"io"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/gopacket/gopacket/reassembly"
)

// Result is what the baseline found.
type Result struct {
	Frames      int
	MQTTPackets int
}

// Run reads the classic pcap at path.
func Run(path string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		return Result{}, err
	}
	var (
		eth     layers.Ethernet
		ip4     layers.IPv4
		ip6     layers.IPv6
		tcp     layers.TCP
		payload gopacket.Payload
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip4, &ip6, &tcp, &payload)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 8)
	var res Result
	factory := &streamFactory{res: &res}
	asm := reassembly.NewAssembler(reassembly.NewStreamPool(factory))
	asm.MaxBufferedPagesPerConnection = 16
	asm.MaxBufferedPagesTotal = 4096
	ctx := &assemblerCtx{}
	for {
		data, ci, err := r.ZeroCopyReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		res.Frames++
		if err := parser.DecodeLayers(data, &decoded); err != nil {
			continue
		}
		var net gopacket.Flow
		isTCP := false
		for _, t := range decoded {
			switch t {
			case layers.LayerTypeIPv4:
				net = ip4.NetworkFlow()
			case layers.LayerTypeIPv6:
				net = ip6.NetworkFlow()
			case layers.LayerTypeTCP:
				isTCP = true
			}
		}
		if !isTCP {
			continue
		}
		ctx.ci = ci
		asm.AssembleWithContext(net, &tcp, ctx)
		if res.Frames%65536 == 0 {
			asm.FlushCloseOlderThan(ci.Timestamp.Add(-2 * time.Minute))
		}
	}
	asm.FlushAll()
	return res, nil
}

type assemblerCtx struct{ ci gopacket.CaptureInfo }

func (c *assemblerCtx) GetCaptureInfo() gopacket.CaptureInfo { return c.ci }

type streamFactory struct{ res *Result }

func (f *streamFactory) New(_, _ gopacket.Flow, _ *layers.TCP, _ reassembly.AssemblerContext) reassembly.Stream {
	return &mqttStream{res: f.res}
}

// mqttStream walks the fixed headers of both directions.
type mqttStream struct {
	res *Result
	dir [2]walker
}

func (s *mqttStream) Accept(tcp *layers.TCP, _ gopacket.CaptureInfo, _ reassembly.TCPFlowDirection, nextSeq reassembly.Sequence, start *bool, _ reassembly.AssemblerContext) bool {
	if nextSeq < 0 && !tcp.SYN {
		*start = true
	}
	return true
}

func (s *mqttStream) ReassembledSG(sg reassembly.ScatterGather, _ reassembly.AssemblerContext) {
	dir, _, _, skip := sg.Info()
	avail, _ := sg.Lengths()
	w := &s.dir[0]
	if dir == reassembly.TCPDirServerToClient {
		w = &s.dir[1]
	}
	if skip != 0 {
		*w = walker{}
	}
	s.res.MQTTPackets += w.walk(sg.Fetch(avail))
}

func (s *mqttStream) ReassemblyComplete(reassembly.AssemblerContext) bool { return true }

// walker counts MQTT packets in one direction's bytes: it reads each fixed
// header (type byte and remaining length, which may be split across
// chunks) and skips the body.
type walker struct {
	skip    int // body bytes still to skip
	inHdr   bool
	rl, mul int
}

func (w *walker) walk(b []byte) (packets int) {
	for len(b) > 0 {
		if w.skip > 0 {
			n := min(w.skip, len(b))
			w.skip -= n
			b = b[n:]
			continue
		}
		if !w.inHdr {
			w.inHdr, w.rl, w.mul = true, 0, 1
			b = b[1:]
			continue
		}
		c := b[0]
		b = b[1:]
		w.rl += int(c&0x7f) * w.mul
		w.mul *= 128
		if c&0x80 == 0 || w.mul > 128*128*128*128 {
			w.inHdr, w.skip = false, w.rl
			packets++
		}
	}
	return packets
}
