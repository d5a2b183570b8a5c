package export

import (
	"fmt"
	"io"
)

// Formats are the names of the export formats, as --export-hex takes them.
var Formats = []string{"at", "at-plain", "hex", "hex-spaced", "bin", "c", "fixture", "go"}

// WriteOptions configure Write.
type WriteOptions struct {
	// Source names the capture (its base name) in the formats' comments.
	Source string
	// Server and Port override the AT script's AT+CIPSTART (ATOptions).
	Server string
	Port   int
	// GoPackage is the package of the go format.
	GoPackage string
}

// Write writes pkts in the named format to w: what `read --export-hex`
// writes, for every format but bin (a file per packet: Bin).
func Write(w io.Writer, format string, pkts []Packet, o WriteOptions) error {
	switch format {
	case "at", "at-plain":
		return AT(w, pkts, ATOptions{Server: o.Server, Port: o.Port, Source: o.Source, Plain: format == "at-plain"})
	case "hex":
		return Hex(w, pkts)
	case "hex-spaced":
		return HexSpaced(w, pkts)
	case "c":
		return C(w, pkts, COptions{Source: o.Source})
	case "fixture":
		return FixtureJSON(w, pkts, o.Source)
	case "go":
		pkg := o.GoPackage
		if pkg == "" {
			pkg = "fixtures"
		}
		return FixtureGo(w, pkts, o.Source, pkg)
	}
	return fmt.Errorf("export: %q is not a format that writes to one stream", format)
}
