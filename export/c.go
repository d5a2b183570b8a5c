package export

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// COptions configure the C header.
type COptions struct {
	Source string // the capture, for the header comment
	Guard  string // include guard; MQTTPCAP_PACKETS_H when empty
}

// C writes a C header with one array per packet and its length, the bytes
// commented by section (fixed header, variable header, payload), for
// Arduino and ESP-IDF firmware.
func C(w io.Writer, pkts []Packet, o COptions) error {
	guard := o.Guard
	if guard == "" {
		guard = "MQTTPCAP_PACKETS_H"
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "/* MQTT packets exported by mqttpcap")
	if o.Source != "" {
		fmt.Fprintf(bw, " from %s", o.Source)
	}
	fmt.Fprintf(bw, " */\n#ifndef %s\n#define %s\n\n#include <stddef.h>\n#include <stdint.h>\n", guard, guard)
	seen := map[string]int{}
	for _, p := range pkts {
		name := p.identifier()
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%s_%d", name, seen[name])
		}
		d := p.Packet
		fmt.Fprintf(bw, "\n/* %s, %d bytes */\n", cComment(p.Name()), len(d.Raw))
		for _, n := range p.Notes {
			fmt.Fprintf(bw, "/* %s */\n", cComment(n))
		}
		for _, pr := range d.Problems {
			fmt.Fprintf(bw, "/* ! malformed, as captured: %s */\n", cComment(problemText(pr)))
		}
		fmt.Fprintf(bw, "static const uint8_t %s[] = {\n", name)
		sections := [][2]int{{0, d.HeaderLen}}
		names := []string{"fixed header"}
		if d.PayloadOff > 0 {
			sections = append(sections, [2]int{d.HeaderLen, d.PayloadOff}, [2]int{d.PayloadOff, len(d.Raw)})
			names = append(names, "variable header", "payload")
		} else {
			sections = append(sections, [2]int{d.HeaderLen, len(d.Raw)})
			names = append(names, "variable header")
		}
		for i, s := range sections {
			if s[0] >= s[1] {
				continue
			}
			fmt.Fprintf(bw, "    /* %s */\n", names[i])
			for off := s[0]; off < s[1]; off += 12 {
				bw.WriteString("   ")
				for _, c := range d.Raw[off:min(off+12, s[1])] {
					fmt.Fprintf(bw, " 0x%02x,", c)
				}
				bw.WriteString("\n")
			}
		}
		fmt.Fprintf(bw, "};\nstatic const size_t %s_len = %d;\n", name, len(d.Raw))
	}
	fmt.Fprintf(bw, "\n#endif /* %s */\n", guard)
	return bw.Flush()
}

// cComment keeps text from closing a C comment.
func cComment(s string) string { return strings.ReplaceAll(s, "*/", "* /") }
