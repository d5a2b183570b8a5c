package decode

import (
	"encoding/hex"
	"strings"
	"testing"
)

// Helpers to write packets in tests readably: hx("10 98 01 ..."), or built
// from parts with pkt(first byte, body parts...), which computes the
// remaining length.

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// str is an MQTT UTF-8 string or binary data: two length bytes and s.
func str(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }

func u16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

func u32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

func raw(b ...byte) []byte { return b }

// pkt builds a packet: first byte, minimal remaining length, body.
func pkt(first byte, body ...[]byte) []byte {
	b := cat(body...)
	return cat([]byte{first}, AppendVBI(nil, uint32(len(b))), b)
}

// props builds a v5 property block: property length and the properties.
func props(ps ...[]byte) []byte {
	b := cat(ps...)
	return cat(AppendVBI(nil, uint32(len(b))), b)
}

func codes(p *Packet) []string {
	var out []string
	for _, pr := range p.Problems {
		out = append(out, pr.Code)
	}
	return out
}

func hasCode(p *Packet, code string) bool {
	for _, pr := range p.Problems {
		if pr.Code == code {
			return true
		}
	}
	return false
}

// checkRanges asserts every field and problem lies inside the packet.
func checkRanges(t testing.TB, p *Packet) {
	t.Helper()
	for _, f := range p.Fields {
		if f.Span.Off < 0 || f.Span.Len < 0 || f.Span.Off+f.Span.Len > len(p.Raw) {
			t.Fatalf("field %s range %d+%d outside the %d-byte packet", f.Name, f.Span.Off, f.Span.Len, len(p.Raw))
		}
	}
	for _, pr := range p.Problems {
		if pr.Off < 0 || pr.Off > len(p.Raw) {
			t.Fatalf("problem %s at offset %d outside the %d-byte packet", pr.Code, pr.Off, len(p.Raw))
		}
		if pr.Message == "" || pr.Code == "" {
			t.Fatalf("problem without code or message: %+v", pr)
		}
	}
}

// The seed session of onenet.md §6.
const (
	seedConnect    = "10980100044d51545404c2003c00056d795f7476000a5652716844484632774c007976657273696f6e3d323031382d31302d3331267265733d70726f64756374732532465652716844484632774c253246646576696365732532466d795f74762665743d31363631323435303331266d6574686f643d6d6435267369676e3d7934694450753659703834464f377378706364635351253344253344"
	seedSubscribe  = "822d00010028247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f73657400"
	seedPublish    = "306f0029247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f706f73747b226964223a2022313233222c2276657273696f6e22203a2022312e30222c22706172616d73223a207b2277656e6475223a207b2276616c7565223a2032312e317d7d7d"
	seedDisconnect = "e000"
)
