package report

import (
	"strconv"

	"github.com/mqttpcap/mqttpcap/pipeline"
)

// When a command reads several capture files, each input's output starts
// with a line naming it (FileHeader); a capture merged from several files
// (Record.File varies) has a line in its list wherever its records' frames
// start coming from another file (TextOptions.Files). JSON lines name the
// file on every line instead (JSONLines.Files).

// FileHeader is the line that starts an input's output when several are
// read: "══ file NAME", bold when styled, after a blank line unless it is
// the first input's.
func FileHeader(b []byte, name string, styled, first bool) []byte {
	if !first {
		b = append(b, '\n')
	}
	b = append(b, newStyles(styled).header.Render("══ file "+name)...)
	return append(b, '\n')
}

// fileLine puts before b, a record's output, the line that says the
// records from here on come from another of the merged files: "══ file
// b.pcap from frame 1201 (its frame 1)".
func (t *Text) fileLine(b []byte, r *pipeline.Record) []byte {
	frame := r.Frame
	if r.Kind == pipeline.KindConnDone && r.Final != nil {
		frame = r.Final.LastFrame
	}
	line := "══ file " + r.File
	if frame != 0 {
		line += " from frame " + strconv.FormatUint(frame, 10) + " (its frame " + strconv.FormatUint(r.FileFrame, 10) + ")"
	}
	rest := t.b
	t.b = t.scratch[:0]
	t.putWrapped(t.st.header, line, 0, 8)
	t.b = append(t.b, '\n')
	t.b = append(t.b, rest...)
	t.scratch = rest[:0]
	return t.b
}
