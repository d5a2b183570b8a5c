package esp8266

import (
	"bytes"
	"strconv"
	"strings"
)

// Log is what ParseLog found in a serial log: the connections the module
// opened and the bytes each direction carried, in log order.
type Log struct {
	Conns  []Conn
	Chunks []Chunk
	// Missing counts AT+CIPSEND prompts whose bytes the log does not hold
	// (a log of what the module printed, with echo off or the terminal's
	// own input left out): those bytes went out, but cannot be decoded.
	Missing int
}

// Conn is one connection of a log, opened by AT+CIPSTART (or implied by
// the first AT+CIPSEND or +IPD when the log starts later).
type Conn struct {
	// Type, Host and Port are AT+CIPSTART's ("TCP", "SSL", ...); empty and
	// 0 when the log does not hold the command.
	Type string
	Host string
	Port int
	// Line is where the connection starts in the log (1-based).
	Line int
	// Closed says who ended the connection: "server" (the module printed
	// CLOSED without an AT+CIPCLOSE before it), "client" (AT+CIPCLOSE), or
	// "" when the log ends first; CloseLine is where.
	Closed    string
	CloseLine int
}

// Chunk is a run of bytes of one direction: what one AT+CIPSEND sent, or
// one +IPD frame brought.
type Chunk struct {
	Conn       int
	FromServer bool
	Data       []byte
	// Line is the line of the log where the bytes end (1-based).
	Line int
	// Short says the log ended before all the announced bytes.
	Short bool
}

// ParseLog reads an ESP8266 AT dialogue as a serial terminal records it:
//
//	AT+CIPSTART="TCP","studio-mqtt.heclouds.com",1883   a connection starts
//	AT+CIPSEND=155  (or =<link>,<len> with CIPMUX=1)    the next 155 bytes are the client's:
//	>               followed by them raw, or typed as hex ("10 98 01 ..."),
//	                or, in an AT script, on the next lines as hex
//	+IPD,4:<bytes>  (or +IPD,<link>,4: / +IPD,4,"ip",port:) 4 bytes from the server, raw or hex
//	CLOSED          the connection ended (by the server unless AT+CIPCLOSE came just before)
//
// Everything else (echoed commands, OK, "Recv n bytes", SEND OK, busy p...,
// # comments, timestamps in brackets) is read past. Line ends may be CR LF,
// LF or CR. ParseLog never fails: what it cannot read it skips.
func ParseLog(b []byte) *Log {
	p := &logParser{b: b, cur: -1, links: map[int]int{}}
	p.run()
	chunks := p.log.Chunks[:0]
	for _, c := range p.log.Chunks {
		if len(c.Data) > 0 {
			chunks = append(chunks, c)
		}
	}
	p.log.Chunks = chunks
	return &p.log
}

// LooksLikeLog says whether b holds an AT dialogue: an AT+CIPSEND, an
// AT+CIPSTART or a +IPD frame.
func LooksLikeLog(b []byte) bool {
	return bytes.Contains(b, []byte("AT+CIPSEND=")) || bytes.Contains(b, []byte("AT+CIPSTART=")) || bytes.Contains(b, []byte("+IPD,"))
}

type logParser struct {
	b    []byte
	i    int // next byte to read
	line int // line number of b[i] (0-based)
	log  Log
	// cur is the connection of single-connection mode; links maps link
	// ids of CIPMUX=1 to connections.
	cur   int
	links map[int]int
	// pending is the length of an AT+CIPSEND waiting for its bytes (0:
	// none), with its link (-1 in single-connection mode).
	pending     int
	pendingLink int
	// closing is set by AT+CIPCLOSE: the next CLOSED is the client's.
	closing bool
	// sent is the index of the last client chunk, until SEND OK or SEND
	// FAIL says whether it went out.
	sent int
}

func (p *logParser) run() {
	p.sent = -1
	for p.i < len(p.b) {
		end := p.i
		for end < len(p.b) && p.b[end] != '\n' && p.b[end] != '\r' {
			end++
		}
		start := p.i
		text := stripPrefix(p.b[start:end])
		off := start + (end - start - len(text))
		if p.handle(text, off) {
			continue // handle moved p.i past binary data
		}
		p.i = end
		p.skipEOL()
	}
}

// skipEOL moves past one line end (CR LF, LF, CR, or the CR CR LF of the
// module's echo) and counts it.
func (p *logParser) skipEOL() {
	if p.i >= len(p.b) {
		return
	}
	for p.i < len(p.b) && p.b[p.i] == '\r' {
		p.i++
	}
	if p.i < len(p.b) && p.b[p.i] == '\n' {
		p.i++
	}
	p.line++
}

// handle reads one line's text (starting at b[off]); it returns true when
// it consumed bytes itself (data after a prompt or +IPD).
func (p *logParser) handle(text []byte, off int) bool {
	s := string(text)
	switch {
	case p.pending > 0 && strings.HasPrefix(s, ">"):
		from := off + 1
		for from < len(p.b) && (p.b[from] == ' ' || p.b[from] == '\t') {
			from++
		}
		if from < len(p.b) && (p.b[from] == '\r' || p.b[from] == '\n') && !noData(p.b[from:]) {
			// The bytes are on the next line (a terminal's HEX mode, with a
			// timestamp before them): the hex line case takes them.
			return false
		}
		if noData(p.b[from:]) {
			// The log holds the module's answers only.
			p.log.Missing++
			p.pending = 0
			return false
		}
		data, next, short := p.take(from, p.pending)
		p.addClient(data, next, short)
		return true
	case strings.HasPrefix(s, "+IPD,"):
		colon := strings.IndexByte(s, ':')
		if colon < 0 {
			return false // passive mode's "+IPD,<len>" has no data
		}
		link, n, ok := parseIPD(s[len("+IPD,"):colon])
		if !ok {
			return false
		}
		data, next, short := p.take(off+colon+1, n)
		c := p.conn(link)
		p.log.Chunks = append(p.log.Chunks, Chunk{Conn: c, FromServer: true, Data: data, Line: p.lineAt(next), Short: short})
		p.i = next
		return true
	case strings.HasPrefix(s, "AT+CIPSTART="):
		p.start(s[len("AT+CIPSTART="):])
	case strings.HasPrefix(s, "AT+CIPSEND="):
		args := strings.Split(strings.TrimSpace(s[len("AT+CIPSEND="):]), ",")
		link, n := -1, 0
		var err error
		if len(args) >= 2 {
			if link, err = strconv.Atoi(args[0]); err != nil {
				return false
			}
			args = args[1:]
		}
		if n, err = strconv.Atoi(args[0]); err != nil || n <= 0 || n > 1<<20 {
			return false
		}
		p.pending, p.pendingLink = n, link
	case strings.HasPrefix(s, "AT+CIPCLOSE"):
		p.closing = true
	case s == "CLOSED" || strings.HasSuffix(s, ",CLOSED") && isDigits(s[:len(s)-len(",CLOSED")]):
		link := -1
		if i := strings.IndexByte(s, ','); i > 0 {
			link, _ = strconv.Atoi(s[:i])
		}
		p.closed(link)
	case s == "SEND FAIL":
		// The bytes did not go out.
		if p.sent >= 0 {
			p.log.Chunks = append(p.log.Chunks[:p.sent], p.log.Chunks[p.sent+1:]...)
			p.sent = -1
		}
	case s == "SEND OK":
		p.sent = -1
	case s == "ERROR" || s == "link is not valid":
		p.pending = 0
	case p.pending > 0 && isHexLine(s):
		// An AT script: the bytes follow the command as hex lines.
		data, next, short := p.take(off, p.pending)
		p.addClient(data, next, short)
		return true
	}
	return false
}

func (p *logParser) addClient(data []byte, next int, short bool) {
	c := p.conn(p.pendingLink)
	p.log.Chunks = append(p.log.Chunks, Chunk{Conn: c, Data: data, Line: p.lineAt(next), Short: short})
	p.sent = len(p.log.Chunks) - 1
	p.pending = 0
	p.i = next
}

// lineAt counts the lines up to b[end] (the last byte taken is b[end-1])
// and returns the 1-based line of that byte.
func (p *logParser) lineAt(end int) int {
	for k := p.i; k < end && k < len(p.b); k++ {
		if p.b[k] == '\n' || p.b[k] == '\r' && (k+1 >= len(p.b) || p.b[k+1] != '\n' && p.b[k+1] != '\r') {
			if k < end-1 {
				p.line++
			}
		}
	}
	p.i = end
	return p.line + 1
}

// take reads n bytes of data at b[from]: typed as hex (2n hex digits,
// spaces and line breaks between them allowed) or raw.
func (p *logParser) take(from, n int) ([]byte, int, bool) {
	if data, next, ok := hexRun(p.b, from, n); ok {
		return data, next, false
	}
	end := from + n
	if end > len(p.b) {
		return append([]byte(nil), p.b[from:]...), len(p.b), true
	}
	return append([]byte(nil), p.b[from:end]...), end, false
}

// hexRun reads 2n hex digits at b[from], with blanks and line breaks
// between byte pairs; the run must end there (not with another hex digit).
func hexRun(b []byte, from, n int) ([]byte, int, bool) {
	out := make([]byte, 0, n)
	i := from
	for len(out) < n {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
			if len(out) == 0 && b[i] != ' ' && b[i] != '\t' {
				return nil, 0, false // the bytes start on the prompt's line
			}
			i++
		}
		if i+1 >= len(b) || !isHex(b[i]) || !isHex(b[i+1]) {
			return nil, 0, false
		}
		out = append(out, unhex(b[i])<<4|unhex(b[i+1]))
		i += 2
	}
	if i < len(b) && isHex(b[i]) {
		return nil, 0, false
	}
	return out, i, true
}

// noData says whether what follows a prompt is the module's next answer
// rather than the bytes sent.
func noData(b []byte) bool {
	b = bytes.TrimLeft(b, "\r\n")
	for _, s := range []string{"Recv ", "SEND OK", "SEND FAIL", "busy p", "ERROR", "+IPD"} {
		if bytes.HasPrefix(b, []byte(s)) {
			return true
		}
	}
	return len(b) == 0
}

// start opens a connection: AT+CIPSTART=[<link>,]"TCP","host",port[,...].
func (p *logParser) start(args string) {
	parts := splitArgs(args)
	link := -1
	if len(parts) > 0 && isDigits(parts[0]) {
		link, _ = strconv.Atoi(parts[0])
		parts = parts[1:]
	}
	c := Conn{Line: p.line + 1}
	if len(parts) > 0 {
		c.Type = strings.ToUpper(parts[0])
	}
	if len(parts) > 1 {
		c.Host = parts[1]
	}
	if len(parts) > 2 {
		c.Port, _ = strconv.Atoi(parts[2])
	}
	// The module's echo of the command just typed opens nothing new.
	prev := p.cur
	if link >= 0 {
		var ok bool
		if prev, ok = p.links[link]; !ok {
			prev = -1
		}
	}
	if prev >= 0 && prev == len(p.log.Conns)-1 && !p.hasData(prev) && p.log.Conns[prev].Closed == "" {
		pc := p.log.Conns[prev]
		if pc.Type == c.Type && pc.Host == c.Host && pc.Port == c.Port {
			return
		}
	}
	p.log.Conns = append(p.log.Conns, c)
	idx := len(p.log.Conns) - 1
	if link >= 0 {
		p.links[link] = idx
	} else {
		p.cur = idx
	}
	p.closing = false
}

func (p *logParser) hasData(c int) bool {
	for _, ch := range p.log.Chunks {
		if ch.Conn == c {
			return true
		}
	}
	return false
}

// conn is the connection of a link, opened implicitly when the log did not
// show its AT+CIPSTART.
func (p *logParser) conn(link int) int {
	if link >= 0 {
		if c, ok := p.links[link]; ok {
			return c
		}
		p.log.Conns = append(p.log.Conns, Conn{Line: p.line + 1})
		p.links[link] = len(p.log.Conns) - 1
		return p.links[link]
	}
	if p.cur < 0 || p.log.Conns[p.cur].Closed != "" {
		p.log.Conns = append(p.log.Conns, Conn{Line: p.line + 1})
		p.cur = len(p.log.Conns) - 1
	}
	return p.cur
}

func (p *logParser) closed(link int) {
	var c int
	if link >= 0 {
		var ok bool
		if c, ok = p.links[link]; !ok {
			return
		}
		delete(p.links, link)
	} else {
		if p.cur < 0 {
			return
		}
		c = p.cur
	}
	if p.log.Conns[c].Closed != "" {
		return
	}
	who := "server"
	if p.closing {
		who = "client"
	}
	p.log.Conns[c].Closed, p.log.Conns[c].CloseLine = who, p.line+1
	p.closing = false
}

// splitArgs splits AT command arguments at commas outside quotes and
// unquotes them.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// parseIPD reads "<len>", "<link>,<len>" or either followed by the remote
// ip and port (AT+CIPDINFO=1).
func parseIPD(s string) (link, n int, ok bool) {
	parts := strings.Split(s, ",")
	nums := parts[:0:0]
	for _, x := range parts {
		if isDigits(x) {
			nums = append(nums, x)
		} else {
			break
		}
	}
	link = -1
	switch len(nums) {
	case 0:
		return 0, 0, false
	case 1:
		n, _ = strconv.Atoi(nums[0])
	default:
		if len(parts) == 2 || len(parts) == 4 {
			link, _ = strconv.Atoi(nums[0])
			n, _ = strconv.Atoi(nums[1])
		} else {
			n, _ = strconv.Atoi(nums[0])
		}
	}
	return link, n, n > 0 && n <= 1<<20
}

// stripPrefix takes off what terminals put before a line: a timestamp in
// brackets ("[15:21:07.391]") and SSCOM's direction marks.
func stripPrefix(b []byte) []byte {
	for {
		t := bytes.TrimLeft(b, " \t")
		switch {
		case len(t) > 2 && t[0] == '[':
			end := bytes.IndexByte(t, ']')
			if end < 0 || end > 40 || !bytes.ContainsAny(t[1:end], "0123456789") {
				return b
			}
			b = t[end+1:]
		case bytes.HasPrefix(t, []byte("收←◆")), bytes.HasPrefix(t, []byte("发→◇")):
			b = t[len("收←◆"):]
		default:
			return t
		}
	}
}

func isHexLine(s string) bool {
	s = strings.TrimSpace(s)
	digits := 0
	for i := 0; i < len(s); i++ {
		switch {
		case isHex(s[i]):
			digits++
		case s[i] == ' ' || s[i] == '\t':
		default:
			return false
		}
	}
	return digits >= 2 && digits%2 == 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
