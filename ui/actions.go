package ui

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// maxSearch bounds how many rows one search reads (each is rendered to be
// searched): n goes on from where it stopped.
const maxSearch = 200000

// findText selects the next row (dir 1) or the previous one (-1) whose
// line, as the list shows it, contains text.
func (m *model) findText(text string, dir int) {
	if text == "" {
		return
	}
	n := m.count()
	pos := m.sel
	for i := 0; i < min(n, maxSearch); i++ {
		pos = (pos + dir + n) % n
		idx := m.entry(pos)
		r, err := m.ldAux.row(idx, true)
		if err != nil {
			m.fail(err.Error())
			return
		}
		if strings.Contains(ansi.Strip(string(m.lv.ListLine(nil, &r.Record))), text) {
			m.focus = paneList
			m.moveTo(pos)
			return
		}
	}
	if n > maxSearch {
		m.fail(fmt.Sprintf("%q: not in the next %d rows (n searches on)", text, maxSearch))
		m.moveTo((m.sel + dir*maxSearch + n) % n)
		return
	}
	m.fail(fmt.Sprintf("%q: not found", text))
}

// findFlag selects the next (or previous) row with an entry flag.
func (m *model) findFlag(flag uint8, dir int, what string) {
	n := m.count()
	for pos := m.sel + dir; pos >= 0 && pos < n; pos += dir {
		if m.ix.Entry(m.entry(pos)).flags&flag != 0 {
			m.focus = paneList
			m.moveTo(pos)
			return
		}
	}
	where := "after"
	if dir < 0 {
		where = "before"
	}
	m.say("no " + what + " " + where + " this row")
}

// jumpFrame selects the row of frame n, or the first after it.
func (m *model) jumpFrame(frame uint64) {
	n := m.count()
	best := -1
	for pos := 0; pos < n; pos++ {
		f := m.ix.Entry(m.entry(pos)).frame
		if f == frame {
			best = pos
			break
		}
		if f > frame && (best < 0 || f < m.ix.Entry(m.entry(best)).frame) {
			best = pos
		}
	}
	if best < 0 {
		m.fail("no row at or after frame " + strconv.FormatUint(frame, 10))
		return
	}
	if m.ix.Entry(m.entry(best)).frame != frame {
		m.say("frame " + strconv.FormatUint(frame, 10) + " completes no packet: the next row is selected")
	}
	m.focus = paneList
	m.moveTo(best)
}

// selectedConn is the connection of the selected row, or nil.
func (m *model) selectedConn() *conn {
	if m.count() == 0 {
		return nil
	}
	e := m.ix.Entry(m.entry(m.sel))
	if e.conn == 0 {
		return nil
	}
	m.ix.mu.RLock()
	defer m.ix.mu.RUnlock()
	return m.ix.conns[e.conn-1]
}

// followSelected shows only the selected packet's connection.
func (m *model) followSelected() {
	c := m.selectedConn()
	if c == nil {
		m.fail("this row belongs to no connection")
		return
	}
	f, _ := parse(m.filter)
	m.applyView(m.filter, f, c.c.Stream)
	m.say("following stream " + strconv.Itoa(c.c.Stream) + " (S stops)")
}

func (m *model) toggleMark() {
	if m.count() == 0 {
		return
	}
	idx := m.entry(m.sel)
	if m.ix.Entry(idx).kind != blobPacket {
		m.fail("only MQTT packets can be marked (this row is an event)")
		return
	}
	if m.marks[idx] {
		delete(m.marks, idx)
	} else {
		m.marks[idx] = true
	}
	if m.sel < m.count()-1 {
		m.moveTo(m.sel + 1)
	}
}

func (m *model) markAll() {
	n := m.count()
	added := 0
	for pos := 0; pos < n; pos++ {
		idx := m.entry(pos)
		if m.ix.Entry(idx).kind == blobPacket && !m.marks[idx] {
			m.marks[idx] = true
			added++
		}
	}
	m.say("marked " + plural(added, "more packet"))
}

// markedPackets are the marked packets in capture order, for export.
func (m *model) markedPackets() ([]export.Packet, error) {
	idxs := make([]int, 0, len(m.marks))
	for i := range m.marks {
		idxs = append(idxs, i)
	}
	slices.Sort(idxs)
	pkts := make([]export.Packet, 0, len(idxs))
	for _, i := range idxs {
		r, err := m.ldAux.row(i, false)
		if err != nil {
			return nil, err
		}
		if r.Packet == nil {
			continue
		}
		p := export.Packet{Frame: r.Frame, Time: r.Time, FromClient: r.FromClient, Packet: r.Packet.Clone()}
		if r.Conn != nil {
			p.Stream, p.Client, p.Server = r.Conn.Stream, r.Conn.Client, r.Conn.Server
			// A connection, not a stream number: the same stream on two
			// interfaces or a reused port is one AT block per connection.
			p.Interface, p.ConnFrame = r.Conn.Interface, r.Conn.FirstFrame
		}
		if r.Info != nil {
			p.ServerName = r.Info.ServerName
		}
		pkts = append(pkts, p)
	}
	return pkts, nil
}

// export writes the marked packets: "FORMAT FILE", as read --export-hex
// FORMAT -o FILE would (bin: FILE is a directory).
func (m *model) export(spec string) {
	fields := strings.Fields(spec)
	if len(fields) != 2 || !slices.Contains(export.Formats, fields[0]) {
		m.fail("export: give FORMAT FILE, FORMAT one of " + strings.Join(export.Formats, ", "))
		return
	}
	format, path := fields[0], fields[1]
	pkts, err := m.markedPackets()
	if err != nil {
		m.fail("export: " + err.Error())
		return
	}
	pkts = export.ByConnection(pkts)
	// As read --export-hex does: a packet the capture holds only part of
	// is left out of the formats that cannot mark it, and said.
	var cutNote string
	if !export.Marks(format) {
		var cut []export.Packet
		pkts, cut = export.WithoutCut(pkts)
		if len(cut) > 0 {
			cutNote = " (left out, cut short in the capture: " + export.CutText(cut[0])
			if len(cut) > 1 {
				cutNote += " and " + strconv.Itoa(len(cut)-1) + " more"
			}
			cutNote += ")"
		}
		if len(pkts) == 0 {
			m.fail("export: every marked packet is cut short in the capture" + cutNote)
			return
		}
	}
	if format == "bin" {
		paths, err := export.Bin(path, pkts)
		if err != nil {
			m.fail("export: " + err.Error())
			return
		}
		m.say(fmt.Sprintf("wrote %d files to %s%s", len(paths), path, cutNote))
		return
	}
	f, err := os.Create(path)
	if err != nil {
		m.fail("export: " + err.Error())
		return
	}
	err = export.Write(f, format, pkts, export.WriteOptions{Source: m.o.Source})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, export.ErrNoServer) {
			err = errors.New("the capture does not say which server the packets went to: use hex, or read --export-hex at --server")
		}
		m.fail("export: " + err.Error())
		return
	}
	abs, _ := filepath.Abs(path)
	m.say(fmt.Sprintf("wrote %s as %s to %s%s", plural(len(pkts), "packet"), format, abs, cutNote))
}

// copyHex copies the selected packet's bytes as hex to the clipboard with
// OSC 52 (which works over SSH where the terminal allows it).
func (m *model) copyHex() tea.Cmd {
	d := &m.det
	if d.row == nil || d.row.Packet == nil {
		m.fail("no packet selected")
		return nil
	}
	h := hex.EncodeToString(d.row.Packet.Raw)
	m.say(fmt.Sprintf("copied %d bytes as hex (OSC 52: the terminal must allow clipboard writes)", len(d.row.Packet.Raw)))
	return tea.SetClipboard(h)
}

// openToken explains the selected CONNECT's OneNET token as `mqttpcap
// token decode` does, judged at the CONNECT's capture time.
func (m *model) openToken() {
	d := &m.det
	if d.row == nil || d.row.Packet == nil || d.row.Packet.Type != decode.CONNECT {
		m.fail("t explains the token of a CONNECT: select one (o finds OneNET findings)")
		return
	}
	p := d.row.Packet
	if !p.PasswordFlag || len(p.Password) == 0 {
		m.fail("this CONNECT has no password")
		return
	}
	tok, err := onenet.ParseToken(string(p.Password))
	if err != nil {
		m.fail("the password is not a OneNET token: " + strings.TrimPrefix(err.Error(), "onenet: parse token: "))
		return
	}
	b, errs := report.ExplainToken(nil, tok, report.TokenOptions{Key: m.o.Keys,
		Check: onenet.CheckContext{Username: string(p.Username), ClientID: string(p.ClientID), At: d.row.Time, AtName: "the CONNECT (frame " + strconv.FormatUint(d.row.Frame, 10) + ")"}})
	head := fmt.Sprintf("OneNET token of the CONNECT in frame %d (stream %d), as `mqttpcap token decode` explains it:", d.row.Frame, d.row.Conn.Stream)
	verdict := m.st.ok.Render("the platform accepts this token")
	if errs > 0 {
		verdict = m.st.err.Render("OneNET refuses this token: " + plural(errs, "error"))
	}
	lines := []string{m.st.title.Render(head), ""}
	for _, l := range splitLines(string(b)) {
		// Findings are sentences: wrapped under their text, not cut.
		lines = append(lines, splitLines(ansi.Wrap(l, m.w-1, ""))...)
	}
	m.token = textView{lines: append(lines, "", verdict)}
	m.mode = modeToken
}

func (m *model) tokenKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc", "t":
		m.mode = modeMain
	case "up", "k":
		m.token.scroll(-1, m.h-3)
	case "down", "j":
		m.token.scroll(1, m.h-3)
	}
	return nil
}

// textView is a scrolled page of text.
type textView struct {
	lines []string
	top   int
}

func (t *textView) scroll(d, h int) { t.top = max(0, min(t.top+d, len(t.lines)-h)) }

func (t *textView) view(h int) []string {
	end := min(len(t.lines), t.top+h)
	return t.lines[t.top:end]
}

// click handles a mouse click: a row of the list, a field of the tree, a
// byte of the hexdump.
func (m *model) click(mo tea.Mouse) {
	if m.mode != modeMain || m.help || mo.Button != tea.MouseLeft {
		return
	}
	lh, th, hh := m.heights()
	y := mo.Y - 1 // below the title line
	if lh > 0 {
		if y >= 1 && y <= lh {
			m.focus = paneList
			m.moveTo(m.top + y - 1)
			return
		}
		y -= lh + 1
	}
	if th > 0 {
		if y >= 1 && y <= th {
			m.focus = paneTree
			line := m.det.treeTop + y - 1
			for i, l := range m.det.fieldLine {
				if l <= line {
					m.det.field = i
				}
			}
			if m.det.field >= 0 && m.det.row != nil && m.det.row.Packet != nil {
				m.det.hexOff = m.det.row.Packet.Fields[m.det.field].Span.Off
			}
			return
		}
		y -= th + 1
	}
	if hh > 0 && y >= 1 && y <= hh && m.det.row != nil && m.det.row.Packet != nil {
		off := hexByteAt(m.det.hexTop+y-1, mo.X)
		if off >= 0 && off < len(m.det.row.Packet.Raw) {
			m.focus = paneHex
			m.det.hexOff = 0
			m.hexMove(off)
		}
	}
}

// rowRecord rebuilds entry idx with its fields (for the views).
func (m *model) rowRecord(idx int) (*pipeline.Record, error) {
	r, err := m.ldAux.row(idx, false)
	if err != nil {
		return nil, err
	}
	return &r.Record, nil
}
