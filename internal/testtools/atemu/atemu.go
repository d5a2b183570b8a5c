// Package atemu is an ESP8266 running Espressif's AT firmware, for tests:
// it serves the AT commands mqttpcap's send uses on the master side of a
// pseudo-terminal (the slave's path is the "serial port") and bridges the
// module's TCP link to a real server, e.g. a broker on loopback.
//
// It answers as the AT firmware does (ESP-AT release/v2.2.0.0_esp8266,
// docs/en/AT_Command_Set/index.rst and TCP-IP_AT_Commands.rst, and the
// strings of that firmware's libesp8266_at_core.a; onenet.md §5.1):
//
//	AT                    → "\r\nOK\r\n"; every command is echoed first ("AT\r\r\n") unless ATE0
//	AT+CIPMUX=0, CIPMODE=0 → OK
//	AT+CIPSTART="TCP","h",p → "CONNECT\r\n\r\nOK\r\n"; "ALREADY CONNECTED\r\n\r\nERROR\r\n" when a
//	                        connection is open; "ERROR\r\nCLOSED\r\n" when it cannot connect
//	AT+CIPSEND=n          → "\r\nOK\r\n\r\n>", then n raw bytes → "\r\nRecv n bytes\r\n\r\nSEND OK\r\n";
//	                        more than 2048 → ERROR; no connection → "link is not valid\r\n\r\nERROR\r\n"
//	                        (the older NONOS firmware's answer; ESP-AT v2 gives only ERROR)
//	received data         → "\r\n+IPD,n:" + the bytes
//	the server closes     → "CLOSED\r\n"
//	AT+CIPCLOSE           → "CLOSED\r\n\r\nOK\r\n", or "ERROR" with no connection
//	a command while busy  → "busy p...\r\n"
//
// Faults make it give each of the firmware's error answers on purpose.
package atemu

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// Faults choose the error answers the emulator gives.
type Faults struct {
	EchoOff          bool // behave as after ATE0
	Silent           bool // answer nothing at all (a wrong baud rate, no module)
	BusyFirstSend    int  // answer "busy p..." to the first N AT+CIPSEND
	AlreadyConnected bool // answer the first AT+CIPSTART with ALREADY CONNECTED
	StartError       bool // every AT+CIPSTART fails: ERROR, CLOSED
	LinkNotValid     bool // AT+CIPSEND answers "link is not valid", ERROR
	SendFail         bool // the data of the first AT+CIPSEND gets SEND FAIL
}

// Exchange is what went over the module's TCP link, in order: for the
// test's comparison with what the serial side says.
type Exchange struct {
	FromServer bool
	Data       []byte
}

// Emulator is a running module.
type Emulator struct {
	// Path is the serial port to open (the pty's slave).
	Path   string
	faults Faults
	master *os.File
	slave  *os.File

	mu    sync.Mutex // guards writes to master, conn and log
	conn  net.Conn
	log   []Exchange
	sends int
	done  chan struct{}
}

// Start opens a pseudo-terminal and serves the AT firmware on it.
func Start(f Faults) (*Emulator, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, err
	}
	// Raw mode: the line discipline must neither echo nor translate.
	if _, err := term.MakeRaw(int(slave.Fd())); err != nil {
		master.Close()
		slave.Close()
		return nil, err
	}
	e := &Emulator{Path: slave.Name(), faults: f, master: master, slave: slave, done: make(chan struct{})}
	go e.serve()
	return e, nil
}

// Close stops the emulator and its TCP link.
func (e *Emulator) Close() {
	e.master.Close()
	e.slave.Close()
	e.mu.Lock()
	if e.conn != nil {
		e.conn.Close()
	}
	e.mu.Unlock()
	<-e.done
}

// Log returns what went over the TCP link so far.
func (e *Emulator) Log() []Exchange {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Exchange(nil), e.log...)
}

func (e *Emulator) out(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.master.Write([]byte(s))
}

// serve reads commands from the host and answers them.
func (e *Emulator) serve() {
	defer close(e.done)
	var buf []byte
	rd := make([]byte, 4096)
	for {
		n, err := e.master.Read(rd)
		if err != nil {
			return
		}
		if e.faults.Silent {
			continue
		}
		buf = append(buf, rd[:n]...)
		for {
			i := bytes.Index(buf, []byte("\r\n"))
			if i < 0 {
				break
			}
			cmd := string(buf[:i])
			buf = buf[i+2:]
			var need int
			if need = e.command(cmd); need > 0 {
				// Data mode: exactly need raw bytes.
				for len(buf) < need {
					n, err := e.master.Read(rd)
					if err != nil {
						return
					}
					buf = append(buf, rd[:n]...)
				}
				e.data(buf[:need])
				buf = buf[need:]
			}
		}
	}
}

// command answers one command; it returns the bytes to read in data mode
// after a CIPSEND prompt (0: none).
func (e *Emulator) command(cmd string) int {
	if !e.faults.EchoOff {
		e.out(cmd + "\r\r\n")
	}
	switch {
	case cmd == "AT", cmd == "AT+CIPMUX=0", cmd == "AT+CIPMODE=0":
		e.out("\r\nOK\r\n")
	case cmd == "ATE0":
		e.faults.EchoOff = true
		e.out("\r\nOK\r\n")
	case cmd == "ATE1":
		e.faults.EchoOff = false
		e.out("\r\nOK\r\n")
	case strings.HasPrefix(cmd, "AT+CIPSTART="):
		e.start(cmd[len("AT+CIPSTART="):])
	case strings.HasPrefix(cmd, "AT+CIPSEND="):
		n, err := strconv.Atoi(cmd[len("AT+CIPSEND="):])
		e.mu.Lock()
		open := e.conn != nil
		e.sends++
		busy := e.sends <= e.faults.BusyFirstSend
		e.mu.Unlock()
		switch {
		case busy:
			e.out("busy p...\r\n")
		case err != nil || n <= 0 || n > 2048:
			e.out("\r\nERROR\r\n")
		case !open || e.faults.LinkNotValid:
			e.out("link is not valid\r\n\r\nERROR\r\n")
		default:
			e.out("\r\nOK\r\n\r\n>")
			return n
		}
	case cmd == "AT+CIPCLOSE":
		e.mu.Lock()
		c := e.conn
		e.conn = nil
		e.mu.Unlock()
		if c == nil {
			e.out("\r\nERROR\r\n")
			return 0
		}
		c.Close()
		e.out("CLOSED\r\n\r\nOK\r\n")
	default:
		e.out("\r\nERROR\r\n")
	}
	return 0
}

func (e *Emulator) start(args string) {
	parts := strings.Split(args, ",")
	if len(parts) < 3 {
		e.out("\r\nERROR\r\n")
		return
	}
	typ, host := strings.Trim(parts[0], `"`), strings.Trim(parts[1], `"`)
	e.mu.Lock()
	open := e.conn != nil
	already := e.faults.AlreadyConnected
	e.faults.AlreadyConnected = false
	e.mu.Unlock()
	if open || already {
		e.out("ALREADY CONNECTED\r\n\r\nERROR\r\n")
		return
	}
	if typ != "TCP" && typ != "SSL" || e.faults.StartError {
		e.out("\r\nERROR\r\nCLOSED\r\n")
		return
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, strings.TrimSpace(parts[2])), 5*time.Second)
	if err != nil {
		e.out("\r\nERROR\r\nCLOSED\r\n")
		return
	}
	e.mu.Lock()
	e.conn = conn
	e.mu.Unlock()
	e.out("CONNECT\r\n\r\nOK\r\n")
	go e.receive(conn)
}

// receive bridges what the server sends to +IPD frames, and its close to
// CLOSED.
func (e *Emulator) receive(conn net.Conn) {
	buf := make([]byte, 2048)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			e.mu.Lock()
			e.log = append(e.log, Exchange{FromServer: true, Data: append([]byte(nil), buf[:n]...)})
			e.master.Write(append([]byte("\r\n+IPD,"+strconv.Itoa(n)+":"), buf[:n]...))
			e.mu.Unlock()
		}
		if err != nil {
			e.mu.Lock()
			mine := e.conn == conn
			if mine {
				e.conn = nil
			}
			e.mu.Unlock()
			if mine && !errors.Is(err, net.ErrClosed) || mine && errors.Is(err, io.EOF) {
				e.out("CLOSED\r\n")
			}
			return
		}
	}
}

// data sends the bytes of a CIPSEND.
func (e *Emulator) data(b []byte) {
	e.out("\r\nRecv " + strconv.Itoa(len(b)) + " bytes\r\n")
	e.mu.Lock()
	c := e.conn
	fail := e.faults.SendFail
	e.faults.SendFail = false
	e.mu.Unlock()
	if c == nil || fail {
		e.out("\r\nSEND FAIL\r\n")
		return
	}
	e.mu.Lock()
	e.log = append(e.log, Exchange{Data: append([]byte(nil), b...)})
	_, err := c.Write(b)
	e.mu.Unlock()
	if err != nil {
		e.out("\r\nSEND FAIL\r\n")
		return
	}
	e.out("\r\nSEND OK\r\n")
}
