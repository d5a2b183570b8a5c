package export

import (
	"fmt"

	"github.com/mqttpcap/mqttpcap/decode"
)

// lengthProblems are the remaining-length encodings an encoder got wrong
// that re-encoding the decoded packet puts right.
var lengthProblems = map[string]bool{"one_byte_length": true, "vbi_not_minimal": true}

// FixLength re-encodes a packet whose remaining length was written wrongly
// (as one byte over 127, the classic embedded-encoder bug, or not
// minimally) with the minimal encoding, so that the exported bytes are
// what a broker accepts. It returns false, with no change, for a packet
// without such a problem or one cut short (its fields are incomplete); a
// note on the packet says what changed.
func FixLength(p *Packet) (bool, error) {
	d := p.Packet
	if !HasLengthProblem(d) {
		return false, nil
	}
	q := d.Clone()
	q.RemainingLengthBytes = 0 // minimal
	raw, err := decode.Encode(q)
	if err != nil {
		return false, fmt.Errorf("frame %d: re-encoding the %s: %w", p.Frame, d.Type, err)
	}
	var dec decode.Decoder
	dec.SkipFields = len(d.Fields) == 0
	fixed := dec.Decode(raw, d.Version).Clone()
	for _, pr := range fixed.Problems {
		if lengthProblems[pr.Code] {
			return false, fmt.Errorf("frame %d: the re-encoded %s still has: %s", p.Frame, d.Type, pr.Message)
		}
	}
	p.Packet = fixed
	p.Notes = append(p.Notes, fmt.Sprintf("remaining length %d re-encoded as % x (the capture had % x); %d → %d bytes",
		d.RemainingLength, raw[1:fixed.HeaderLen], d.Raw[1:d.HeaderLen], len(d.Raw), len(raw)))
	return true, nil
}

// problemText is a problem on one line: "0x01 remaining_length: …".
func problemText(pr decode.Problem) string {
	s := fmt.Sprintf("0x%02x ", pr.Off)
	if pr.Field != "" {
		s += pr.Field + ": "
	}
	return s + pr.Message
}

// HasLengthProblem says whether FixLength would change the packet.
func HasLengthProblem(p *decode.Packet) bool {
	for _, pr := range p.Problems {
		if lengthProblems[pr.Code] {
			return !p.Truncated
		}
	}
	return false
}
