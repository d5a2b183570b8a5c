package ui

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// flowWindow bounds the rows of a connection the flow view lays out:
// this many around the selected packet.
const flowWindow = 4000

// flowView is one connection as Wireshark's Flow Graph shows TCP: the
// client and the broker as two columns, an arrow per packet with its type,
// ids and the time since the previous one, refused logins and requests
// that got no answer marked.
type flowView struct {
	stream         int
	client, server string
	items          []flowItem
	sel, top, h    int
	partial        bool // the window does not cover the whole connection
	total          int
}

type flowItem struct {
	idx        int
	frame      uint64
	rel        time.Duration
	delta      time.Duration
	event      bool
	fromClient bool
	label      string
	mark       string
}

func (f *flowView) move(d int) {
	if len(f.items) == 0 {
		return
	}
	f.sel = max(0, min(f.sel+d, len(f.items)-1))
	f.top = keepVisible(f.top, f.sel, f.h, len(f.items))
}

func (m *model) openFlow() {
	c := m.selectedConn()
	if c == nil {
		m.fail("this row belongs to no connection")
		return
	}
	m.openFlowStream(c.c.Stream, m.entry(m.sel))
}

// openFlowStream lays out the flow of a connection around entry at (-1:
// from its start).
func (m *model) openFlowStream(stream, at int) {
	ix := m.ix
	ix.mu.RLock()
	var cn uint32
	for i, c := range ix.conns {
		if c.c.Stream == stream {
			cn = uint32(i + 1)
			if at < 0 || ix.at(at).conn == cn {
				break
			}
		}
	}
	var idxs []int
	total, before := 0, 0
	for i := 0; i < ix.n; i++ {
		if ix.at(i).conn != cn {
			continue
		}
		total++
		if at < 0 || i <= at {
			before++
			if len(idxs) >= flowWindow && at >= 0 {
				idxs = idxs[1:]
			}
			if at >= 0 || len(idxs) < flowWindow {
				idxs = append(idxs, i)
			}
			continue
		}
		if len(idxs) < flowWindow {
			idxs = append(idxs, i)
		}
	}
	var c *conn
	if cn > 0 {
		c = ix.conns[cn-1]
	}
	ix.mu.RUnlock()
	if c == nil {
		m.fail("no such connection")
		return
	}
	f := flowView{stream: stream, total: total, partial: len(idxs) < total, h: max(m.h-6, 1)}
	f.client, f.server = pipeline.Addrs(&c.c, &c.info)
	pending := map[string]int{}
	replies := map[uint64]bool{}
	var onenetReq []int
	var last time.Time
	for _, idx := range idxs {
		r, err := m.ldAux.row(idx, true)
		if err != nil {
			m.fail(err.Error())
			return
		}
		it := flowItem{idx: idx, frame: r.Frame, rel: r.Rel, fromClient: r.FromClient}
		if !last.IsZero() && !r.Time.IsZero() {
			it.delta = r.Time.Sub(last)
		}
		if !r.Time.IsZero() {
			last = r.Time
		}
		if at == idx {
			f.sel = len(f.items)
		}
		if r.Kind == pipeline.KindEvent {
			it.event = true
			it.label = "[" + r.Event.Type + "] " + r.Event.Message
			f.items = append(f.items, it)
			continue
		}
		p := r.Packet
		it.label = flowLabel(p)
		pos := len(f.items)
		dir := "c"
		if !r.FromClient {
			dir = "s"
		}
		other := map[string]string{"c": "s", "s": "c"}[dir]
		id := strconv.Itoa(int(p.PacketID))
		answer := func(key string) { delete(pending, key) }
		switch p.Type {
		case decode.CONNECT:
			pending["connect"] = pos
		case decode.CONNACK:
			answer("connect")
			if p.HasReasonCode && decode.IsFailure(decode.CONNACK, p.Version, p.ReasonCode) {
				it.mark = "✗ login refused"
			}
		case decode.PUBLISH:
			switch p.QoS {
			case 1:
				pending[dir+"puback"+id] = pos
			case 2:
				pending[dir+"pubrec"+id] = pos
			}
		case decode.PUBACK:
			answer(other + "puback" + id)
		case decode.PUBREC:
			answer(other + "pubrec" + id)
			pending[dir+"pubrel"+id] = pos
		case decode.PUBREL:
			answer(other + "pubrel" + id)
			pending[dir+"pubcomp"+id] = pos
		case decode.PUBCOMP:
			answer(other + "pubcomp" + id)
		case decode.SUBSCRIBE:
			pending["suback"+id] = pos
		case decode.SUBACK:
			answer("suback" + id)
			for _, code := range p.ReasonCodes {
				if code >= 0x80 {
					it.mark = "✗ subscription refused"
				}
			}
		case decode.UNSUBSCRIBE:
			pending["unsuback"+id] = pos
		case decode.UNSUBACK:
			answer("unsuback" + id)
		case decode.PINGREQ:
			pending["ping"] = pos
		case decode.PINGRESP:
			answer("ping")
		}
		if on := r.OneNET; on != nil {
			if on.ReplyTo != nil {
				replies[on.ReplyTo.Frame] = true
			}
			if isOneNETRequest(p, on) {
				onenetReq = append(onenetReq, pos)
			}
			if hasFinding(on) && it.mark == "" {
				it.mark = "⚑ OneNET finding"
			}
		}
		if len(p.Problems) > 0 && it.mark == "" {
			it.mark = "! " + p.Problems[0].Code
		}
		f.items = append(f.items, it)
	}
	for _, pos := range pending {
		f.items[pos].mark = "⚠ no answer"
	}
	for _, pos := range onenetReq {
		if !replies[f.items[pos].frame] {
			f.items[pos].mark = "⚠ no OneNET reply"
		}
	}
	f.move(0)
	m.flow = f
	m.mode = modeFlow
}

// isOneNETRequest reports whether a packet is a OneNET request that waits
// for a reply. It asks what onenet's pairing asks (onenet/pairing.go), so
// the flow view and read's verdict agree: a PUBLISH on a request topic
// whose message has an id. A SUBSCRIBE to the same topic also carries the
// topic's reading, but it asks for nothing and is never answered.
func isOneNETRequest(p *decode.Packet, on *onenet.PacketInfo) bool {
	if p.Type != decode.PUBLISH || on.Topic == nil || on.Message == nil {
		return false
	}
	t := on.Topic
	return !t.Reply && t.ReplyFunction != "" && on.Message.HasID
}

// flowLabel names a packet on its arrow: the type, the ids, what it is
// about.
func flowLabel(p *decode.Packet) string {
	s := p.Type.String()
	if p.HasPacketID {
		s += " id=" + strconv.Itoa(int(p.PacketID))
	}
	switch p.Type {
	case decode.CONNECT:
		s += " " + strconv.Quote(string(p.ClientID))
	case decode.CONNACK:
		if p.HasReasonCode {
			s += " 0x" + strconv.FormatUint(uint64(p.ReasonCode)|0x100, 16)[1:]
			if n := p.ReasonName(); n != "" {
				s += " " + n
			}
		}
	case decode.PUBLISH:
		s += " qos=" + strconv.Itoa(int(p.QoS)) + " " + string(p.TopicName())
	case decode.SUBSCRIBE:
		for _, sub := range p.Subscriptions {
			s += " " + string(sub.Topic)
		}
	}
	return s
}

func (m *model) flowKey(k tea.KeyPressMsg) tea.Cmd {
	f := &m.flow
	f.h = max(m.h-6, 1)
	switch k.String() {
	case "esc", "w":
		m.mode = modeMain
	case "up", "k":
		f.move(-1)
	case "down", "j":
		f.move(1)
	case "pgup", "ctrl+b":
		f.move(-f.h)
	case "pgdown", "ctrl+f":
		f.move(f.h)
	case "g", "home":
		f.move(-len(f.items))
	case "G", "end":
		f.move(len(f.items))
	case "enter":
		if len(f.items) == 0 {
			return nil
		}
		idx := f.items[f.sel].idx
		m.mode = modeMain
		if m.rows != nil {
			rows, _, _, _ := m.rows.snapshot()
			found := false
			for _, r := range rows {
				found = found || int(r) == idx
			}
			if !found {
				m.applyView("", nil, f.stream)
			}
		}
		m.focus = paneList
		m.selectEntry(idx)
	}
	return nil
}

func (m *model) flowView(h int) []string {
	f := &m.flow
	f.h = max(h-3, 1)
	const left = 24 // time and delta columns
	markW := 20
	dw := max(m.w-left-markW, 24)
	head := "stream " + strconv.Itoa(f.stream) + ": " + strconv.Itoa(f.total) + " rows"
	if f.partial {
		head += " (" + strconv.Itoa(len(f.items)) + " around the selected packet shown)"
	}
	client, server := "client "+orDash(f.client), "server "+orDash(f.server)
	cols := m.st.client.Render(client) + strings.Repeat(" ", max(1, dw-ansi.StringWidth(client)-ansi.StringWidth(server))) + m.st.server.Render(server)
	out := []string{m.st.title.Render("  Flow of "+head) + m.st.dim.Render("   enter selects the packet, esc goes back"),
		m.st.dim.Render(padTo("time", 12)+padTo("Δ prev", 11)+" ") + cols}
	for i := f.top; i < len(f.items) && len(out) < h; i++ {
		it := f.items[i]
		delta := ""
		if i > 0 {
			delta = "+" + relText(it.delta)
		}
		line := padTo(relText(it.rel), 12) + padTo(delta, 11) + " " + m.arrow(it, dw)
		if it.mark != "" {
			line += " " + m.st.problem.Render(it.mark)
		}
		if i == f.sel {
			line = m.selected(line, true)
		}
		out = append(out, line)
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func relText(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 6, 64) }

// arrow draws one row of the diagram, dw columns wide.
func (m *model) arrow(it flowItem, dw int) string {
	inner := dw - 2
	label := it.label
	if w := ansi.StringWidth(label); w > inner-6 {
		label = ansi.Truncate(label, inner-7, "") + "…"
	}
	lw := ansi.StringWidth(label)
	if it.event {
		fill := max(inner-lw-2, 0)
		return "│" + m.st.dim.Render(strings.Repeat("·", fill/2)+" "+label+" "+strings.Repeat("·", fill-fill/2)) + "│"
	}
	dashes := strings.Repeat("─", max(inner-lw-4, 0))
	if it.fromClient {
		return "│" + m.st.client.Render("─ "+label+" "+dashes+"▶") + "│"
	}
	return "│" + m.st.server.Render("◀"+dashes+" "+label+" ─") + "│"
}
