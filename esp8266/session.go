package esp8266

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Port is the serial link to the module: a serial port (go.bug.st/serial's
// Port has these methods) or, in tests, a pseudo-terminal. Read returns
// 0, nil when the read timeout passes with nothing to read.
type Port interface {
	io.Reader
	io.Writer
	SetReadTimeout(t time.Duration) error
}

// Session drives the AT firmware in non-transparent mode. It is not safe
// for concurrent use.
type Session struct {
	Port Port
	// Transcript, when set, receives every byte sent and received, in the
	// order they went over the line: a serial log ParseLog reads.
	Transcript io.Writer
	// Timeout bounds the wait for an answer (5 s when 0); Connect waits
	// four times as long (DNS, TCP, TLS).
	Timeout time.Duration
	// BusyRetries is how often a command answered "busy p..." is sent
	// again, BusyWait apart (5 and 500 ms when 0).
	BusyRetries int
	BusyWait    time.Duration
	// Received is called with the bytes of every +IPD frame (the server's).
	Received func(data []byte)
	// Closed is set once the module said the connection closed (CLOSED).
	Closed bool
	// Echo is set once the module echoed a command (ATE1).
	Echo bool

	buf []byte
	rd  [4096]byte
}

// Error is a command the module refused or did not answer.
type Error struct {
	Command string // what was sent ("AT+CIPSEND=155", or "155 bytes")
	// Answer is what the module said, in order ("ERROR", "CLOSED"); empty
	// when it said nothing before the timeout.
	Answer []string
	// Why says what it means and what to do.
	Why string
	// Err is ErrTimeout when no answer came in time.
	Err error
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	ans := "no answer"
	if len(e.Answer) > 0 {
		ans = "the module answered " + strings.Join(e.Answer, ", ")
	}
	return e.Command + ": " + ans + ": " + e.Why
}

// ErrTimeout is wrapped by errors for answers that did not come.
var ErrTimeout = errors.New("no answer in time")

func (s *Session) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 5 * time.Second
}

// Hello checks that a module with the AT firmware answers: AT, then
// single-connection (AT+CIPMUX=0) and normal transmission mode
// (AT+CIPMODE=0), which AT+CIPSEND=<length> needs.
func (s *Session) Hello() error {
	var err error
	for try := 0; try < 3; try++ {
		if _, err = s.Command("AT", s.timeout()/2); err == nil {
			break
		}
		if !errors.Is(err, ErrTimeout) {
			return err
		}
	}
	if err != nil {
		return &Error{Command: "AT", Why: "no module answers on this port: check the wiring (TX to RX), the baud rate (--baud; the AT firmware's default is 115200) and that the module runs Espressif's AT firmware"}
	}
	if ans, err := s.Command("AT+CIPMUX=0", s.timeout()); err != nil {
		if containsPrefix(ans, "link is builded") || containsPrefix(ans, "Connection exists") {
			// A connection is still open from an earlier session.
			s.Command("AT+CIPCLOSE", s.timeout())
			if _, err := s.Command("AT+CIPMUX=0", s.timeout()); err != nil {
				return err
			}
		} else {
			return err
		}
	}
	_, err = s.Command("AT+CIPMODE=0", s.timeout())
	return err
}

// Connect opens the connection: AT+CIPSTART="TCP" (or "SSL") to host and
// port. A connection still open from an earlier session ("ALREADY
// CONNECTED") is closed and the command sent again.
func (s *Session) Connect(typ, host string, port int) error {
	cmd := "AT+CIPSTART=" + strconv.Quote(typ) + "," + strconv.Quote(host) + "," + strconv.Itoa(port)
	for try := 0; ; try++ {
		ans, err := s.Command(cmd, 4*s.timeout())
		if err == nil {
			s.Closed = false
			return nil
		}
		if containsPrefix(ans, "ALREADY CONNECT") && try == 0 {
			// An ERROR here says the link is already gone: try again.
			if ans, err := s.Command("AT+CIPCLOSE", s.timeout()); err != nil && !containsPrefix(ans, "ERROR") {
				return err
			}
			continue
		}
		var ae *Error
		if errors.As(err, &ae) && !errors.Is(err, ErrTimeout) {
			switch {
			case containsPrefix(ans, "no ip"):
				ae.Why = "the module has no IP address: join a Wi-Fi network first (AT+CWMODE=1, AT+CWJAP=\"ssid\",\"password\")"
			case containsPrefix(ans, "DNS Fail"):
				ae.Why = "the module could not resolve " + host + ": check the name, or give an IP address"
			default:
				ae.Why = "the module could not connect to " + host + ":" + strconv.Itoa(port) + " (is the server reachable from the module's network, and the port right?)"
			}
		}
		return err
	}
}

// Send sends data on the open connection: AT+CIPSEND=<length>, ">", the
// bytes, "SEND OK", in parts of at most MaxSend bytes (TCP is a stream:
// the server reads them as one).
func (s *Session) Send(data []byte) error {
	for off := 0; off < len(data); off += MaxSend {
		if err := s.sendPart(data[off:min(off+MaxSend, len(data))]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) sendPart(part []byte) error {
	cmd := "AT+CIPSEND=" + strconv.Itoa(len(part))
	for try := 0; ; try++ {
		ans, prompt, err := s.exchange(cmd, s.timeout(), true)
		if err == nil && prompt {
			break
		}
		if containsPrefix(ans, "busy") && try < s.busyRetries() {
			time.Sleep(s.busyWait())
			continue
		}
		if err == nil {
			err = &Error{Command: cmd, Answer: ans, Why: "the module answered OK but gave no \">\" prompt"}
		}
		var ae *Error
		if errors.As(err, &ae) && !errors.Is(err, ErrTimeout) {
			if containsPrefix(ans, "link is not valid") || containsPrefix(ans, "CLOSED") || s.Closed {
				ae.Why = "the connection is closed: the server closed it (a refused login or a packet it rejects closes it), or it was never opened"
			} else {
				ae.Why = "the module refused to send (is the connection open? AT+CIPMUX=0 and AT+CIPMODE=0 are needed)"
			}
		}
		return err
	}
	s.write(part)
	what := strconv.Itoa(len(part)) + " bytes after " + cmd
	ans, err := s.await(what, s.timeout(), func(line string) (bool, bool) {
		switch {
		case line == "SEND OK":
			return true, true
		case line == "SEND FAIL", line == "ERROR":
			return true, false
		}
		return false, false
	})
	if err != nil {
		return err
	}
	if ans[len(ans)-1] != "SEND OK" {
		return &Error{Command: what, Answer: ans, Why: "the module could not send the bytes: the connection broke (the server may have closed it)"}
	}
	return nil
}

// Wait reads the module's output for d: +IPD frames go to Received, a
// CLOSED sets Closed (and ends the wait).
func (s *Session) Wait(d time.Duration) error {
	deadline := time.Now().Add(d)
	for !s.Closed {
		ev, err := s.next(deadline)
		if errors.Is(err, ErrTimeout) {
			return nil
		}
		if err != nil {
			return err
		}
		s.note(ev)
	}
	return nil
}

// Close ends the connection with AT+CIPCLOSE (an ERROR when it is already
// closed is no failure).
func (s *Session) Close() error {
	if s.Closed {
		return nil
	}
	ans, err := s.Command("AT+CIPCLOSE", s.timeout())
	s.Closed = true
	if err != nil && containsPrefix(ans, "ERROR") {
		return nil
	}
	return err
}

// Command sends an AT command and waits for OK; it returns every line
// the module answered (echo left out).
func (s *Session) Command(cmd string, timeout time.Duration) ([]string, error) {
	for try := 0; ; try++ {
		ans, _, err := s.exchange(cmd, timeout, false)
		if containsPrefix(ans, "busy") && try < s.busyRetries() && err != nil {
			time.Sleep(s.busyWait())
			continue
		}
		return ans, err
	}
}

func (s *Session) busyRetries() int {
	if s.BusyRetries > 0 {
		return s.BusyRetries
	}
	return 5
}

func (s *Session) busyWait() time.Duration {
	if s.BusyWait > 0 {
		return s.BusyWait
	}
	return 500 * time.Millisecond
}

// exchange sends cmd and reads the answer up to its final result: OK,
// ERROR, or (with wantPrompt) the ">" prompt.
func (s *Session) exchange(cmd string, timeout time.Duration, wantPrompt bool) ([]string, bool, error) {
	s.write([]byte(cmd + "\r\n"))
	deadline := time.Now().Add(timeout)
	var ans []string
	for {
		ev, err := s.next(deadline)
		if err != nil {
			return ans, false, &Error{Command: cmd, Answer: ans, Why: fmt.Sprintf("%v (%s)", ErrTimeout, timeout), Err: ErrTimeout}
		}
		switch {
		case ev.prompt:
			if wantPrompt {
				return ans, true, nil
			}
			continue
		case ev.ipd != nil || ev.line == "":
			s.note(ev)
			continue
		case ev.line == cmd || strings.HasPrefix(ev.line, "AT") && strings.HasPrefix(cmd, ev.line):
			s.Echo = true
			continue
		}
		s.note(ev)
		ans = append(ans, ev.line)
		switch {
		case ev.line == "OK":
			if !wantPrompt {
				return ans, false, nil
			}
		case ev.line == "ERROR", ev.line == "FAIL", strings.HasPrefix(ev.line, "busy "):
			if strings.HasPrefix(ev.line, "busy ") {
				// The command was not taken: nothing more will come for it.
				return ans, false, &Error{Command: cmd, Answer: ans, Why: "the module is busy with an earlier command"}
			}
			// ERROR may follow a reason ("link is not valid", "ALREADY
			// CONNECTED") and precede a CLOSED: take what is left.
			ans = append(ans, s.drain(100*time.Millisecond)...)
			return ans, false, &Error{Command: cmd, Answer: ans, Why: "the module refused the command"}
		}
	}
}

// await reads lines until done says the last one ends the wait.
func (s *Session) await(what string, timeout time.Duration, done func(string) (end, ok bool)) ([]string, error) {
	deadline := time.Now().Add(timeout)
	var ans []string
	for {
		ev, err := s.next(deadline)
		if err != nil {
			return ans, &Error{Command: what, Answer: ans, Why: fmt.Sprintf("%v (%s)", ErrTimeout, timeout), Err: ErrTimeout}
		}
		if ev.line == "" || ev.ipd != nil || ev.prompt {
			s.note(ev)
			continue
		}
		s.note(ev)
		ans = append(ans, ev.line)
		if end, _ := done(ev.line); end {
			return ans, nil
		}
	}
}

// drain reads what the module still says for d (the CLOSED after an
// ERROR), noting +IPD frames and CLOSED, and returns its lines.
func (s *Session) drain(d time.Duration) []string {
	deadline := time.Now().Add(d)
	var lines []string
	for {
		ev, err := s.next(deadline)
		if err != nil {
			return lines
		}
		s.note(ev)
		if ev.line != "" {
			lines = append(lines, ev.line)
		}
	}
}

// note handles what may come at any time: server bytes and CLOSED.
func (s *Session) note(ev event) {
	switch {
	case ev.ipd != nil:
		if s.Received != nil {
			s.Received(ev.ipd)
		}
	case ev.line == "CLOSED" || strings.HasSuffix(ev.line, ",CLOSED"):
		s.Closed = true
	}
}

func (s *Session) write(b []byte) {
	s.Port.Write(b)
	if s.Transcript != nil {
		s.Transcript.Write(b)
	}
}

// event is one thing the module printed: a line, the ">" prompt, or the
// bytes of a +IPD frame.
type event struct {
	line   string
	prompt bool
	ipd    []byte
}

// next reads the next event, waiting until deadline.
func (s *Session) next(deadline time.Time) (event, error) {
	for {
		if ev, n, ok := parseEvent(s.buf); ok {
			s.buf = s.buf[n:]
			return ev, nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return event{}, ErrTimeout
		}
		s.Port.SetReadTimeout(min(left, 100*time.Millisecond))
		n, err := s.Port.Read(s.rd[:])
		if n > 0 {
			s.buf = append(s.buf, s.rd[:n]...)
			if s.Transcript != nil {
				s.Transcript.Write(s.rd[:n])
			}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return event{}, err
		}
	}
}

// parseEvent takes one event off the start of b: blank lines are events
// with an empty line; a "+IPD,<len>:" frame needs all its bytes; ">" is the
// prompt (no line end follows it).
func parseEvent(b []byte) (event, int, bool) {
	if len(b) == 0 {
		return event{}, 0, false
	}
	if b[0] == '\r' || b[0] == '\n' {
		n := 1
		if b[0] == '\r' && len(b) > 1 && b[1] == '\n' {
			n = 2
		}
		return event{}, n, true
	}
	if b[0] == '>' {
		n := 1
		if len(b) > 1 && b[1] == ' ' {
			n = 2
		}
		return event{prompt: true}, n, true
	}
	if bytes.HasPrefix(b, []byte("+IPD,")) {
		colon := bytes.IndexByte(b, ':')
		if colon < 0 {
			if bytes.IndexAny(b, "\r\n") >= 0 {
				// Passive mode's "+IPD,<len>" line: no data with it.
				end := bytes.IndexAny(b, "\r\n")
				return event{line: string(b[:end])}, end, true
			}
			return event{}, 0, false
		}
		_, n, ok := parseIPD(string(b[len("+IPD,"):colon]))
		if !ok {
			end := colon + 1
			return event{line: string(b[:end])}, end, true
		}
		if len(b) < colon+1+n {
			return event{}, 0, false
		}
		return event{ipd: append([]byte(nil), b[colon+1:colon+1+n]...)}, colon + 1 + n, true
	}
	end := bytes.IndexAny(b, "\r\n")
	if end < 0 {
		return event{}, 0, false
	}
	return event{line: strings.TrimSpace(string(b[:end]))}, end, true
}

func containsPrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}
