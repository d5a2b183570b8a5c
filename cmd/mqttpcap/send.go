package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"go.bug.st/serial"

	"github.com/mqttpcap/mqttpcap/esp8266"
	"github.com/mqttpcap/mqttpcap/export"
)

// serialOptions are the flags of the serial link (send, replay --serial).
type serialOptions struct {
	port       string
	baud       int
	ssl        bool
	dryRun     bool
	transcript string
	timeout    time.Duration
}

func (s *serialOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.port, "serial", "", "the serial port of the ESP8266 (/dev/ttyUSB0, COM3)")
	f.IntVar(&s.baud, "baud", 115200, "the serial port's baud rate (the AT firmware's default is 115200)")
	f.BoolVar(&s.ssl, "ssl", false, `connect with AT+CIPSTART="SSL" (TLS, e.g. port 8883) instead of "TCP"`)
	f.BoolVar(&s.dryRun, "dry-run", false, "print the AT dialogue that would be sent, without a port")
	f.StringVarP(&s.transcript, "write", "w", "", "keep a transcript of the serial line (what was sent and answered), which mqttpcap decode reads")
	f.DurationVar(&s.timeout, "timeout", 5*time.Second, "how long to wait for each answer of the module (AT+CIPSTART: 4 times as long)")
}

func newSendCmd(g *globalOptions) *cobra.Command {
	o := &replayOptions{g: g, now: time.Now}
	s := &serialOptions{}
	cmd := &cobra.Command{
		Use:   "send --serial PORT [flags] FILE",
		Short: "Send packets through an ESP8266 on a serial port, as its AT firmware does",
		Long: `Send MQTT packets through an ESP8266 running Espressif's AT firmware, on
the serial port it is wired to, and print what the server answers, decoded.
FILE is what replay takes: a capture (the client packets of one
connection), an export of "read --export-hex" or "decode", a serial log, or
"-" for hex lines on standard input.

The dialogue is the non-transparent mode of the AT firmware: AT, then
AT+CIPMUX=0 and AT+CIPMODE=0; per connection AT+CIPSTART="TCP" (--ssl:
"SSL") to the server (--server HOST[:PORT], else the one the input names),
then per packet AT+CIPSEND=<length>, the ">" prompt, the raw bytes, SEND OK
(a packet over the firmware's 2048-byte limit goes in several), while the
server's answers come in +IPD frames and are decoded (the CONNACK explained,
the OneNET verdict); then AT+CIPCLOSE. Echo on or off, "busy p..." (the
command is sent again), ERROR, "ALREADY CONNECTED" (the old connection is
closed first), "link is not valid" and CLOSED are understood; each failure
ends with one message that says what to do.

--dry-run prints the dialogue without a port. -w keeps a transcript of the
serial line that "mqttpcap decode" reads back, both directions.

` + exitStatusHelp + `

  For send: 3 also when the serial port cannot be opened, the module does
  not answer or cannot connect; 5 when the server refuses the login or
  closes the connection before every packet was sent.`,
		Example: `  mqttpcap send --serial /dev/ttyUSB0 --server studio-mqtt.heclouds.com session.at
  mqttpcap send --serial /dev/ttyUSB0 capture.pcapng --refresh-token --key "$KEY" -w session.log
  mqttpcap decode session.log                      # the transcript, both directions
  mqttpcap send --dry-run --server 127.0.0.1:1883 session.at`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(errors.New("send: expected one file (a capture, an export or a serial log; - for hex lines on stdin)"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			return runSend(cmd.Context(), o, s)
		},
	}
	s.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&o.to, "server", "", "the server, HOST[:PORT] (default: the one the input names; port 1883)")
	f.IntVar(&o.stream, "stream", -1, "from a capture: the tcp.stream whose client packets to send (default: the first MQTT connection)")
	f.StringVarP(&o.expr, "filter", "Y", "", `from a capture: send only the client packets matching a display filter (see "mqttpcap help filters")`)
	f.DurationVar(&o.pause, "pause", 300*time.Millisecond, "wait this long for answers after each packet")
	f.DurationVar(&o.readTimeout, "read-timeout", 2*time.Second, "after the last packet, wait this long for the server's answers")
	o.keys.addFlags(f)
	f.BoolVar(&o.fix, "fix-length", false, "re-encode packets whose remaining length is written wrongly (one byte over 127, or not minimal)")
	f.BoolVar(&o.refresh, "refresh-token", false, "give a OneNET CONNECT a fresh token first (needs --key; --ttl, default 1d)")
	f.StringVar(&o.ttl, "ttl", "", "with --refresh-token: validity of the new token (default 1d)")
	f.StringVar(&o.expires, "expires", "", "with --refresh-token: expiry of the new token")
	return cmd
}

// prepare loads the connections to send and fixes, refreshes or warns
// about their packets.
func (o *replayOptions) prepare(ctx context.Context, command string) ([]sendConn, error) {
	var err error
	if o.filter, err = parseFilter(command+": ", o.expr); err != nil {
		return nil, err
	}
	conns, err := o.connections(ctx)
	if err != nil {
		return nil, err
	}
	if len(conns) == 0 {
		return nil, withCode(exitInput, fmt.Errorf("%s: no packet to send", o.path))
	}
	ios := o.g.ios
	for _, c := range conns {
		fixLengths(ios, c.pkts, o.fix)
		if err := o.refreshTokens(c.pkts); err != nil {
			return nil, err
		}
		if !o.refresh {
			warnExpired(ios, c.pkts, o.now())
		}
	}
	return conns, nil
}

// refreshTokens gives OneNET CONNECTs a fresh token (--refresh-token).
func (o *replayOptions) refreshTokens(pkts []export.Packet) error {
	if !o.refresh {
		return nil
	}
	ex := exportOptions{refresh: true, ttl: o.ttl, expires: o.expires, now: o.now}
	if ex.ttl == "" && ex.expires == "" {
		ex.ttl = "1d"
	}
	keyFn, err := o.keys.keyFunc(o.g.ios)
	if err != nil {
		return err
	}
	if keyFn == nil {
		return usageErr(errors.New("--refresh-token needs the access key: --key, --key-file or $" + keyEnv))
	}
	exp, err := ex.expiry()
	if err != nil {
		return err
	}
	for i := range pkts {
		if _, err := export.RefreshToken(&pkts[i], keyFn, exp); err != nil {
			return withCode(exitError, fmt.Errorf("--refresh-token: %w", err))
		}
	}
	return nil
}

func runSend(ctx context.Context, o *replayOptions, s *serialOptions) error {
	ios := o.g.ios
	if s.port == "" && !s.dryRun {
		return usageErr(errors.New("send: --serial PORT is required (or --dry-run)"), "e.g. --serial /dev/ttyUSB0 (Linux), /dev/cu.usbserial-0001 (macOS), COM3 (Windows)")
	}
	var flagHost string
	var flagPort int
	if o.to != "" {
		var err error
		if flagHost, flagPort, err = parseServer("--server", o.to); err != nil {
			return err
		}
	}
	conns, err := o.prepare(ctx, "send")
	if err != nil {
		return err
	}
	typ := "TCP"
	if s.ssl {
		typ = "SSL"
	}
	if s.dryRun {
		return dryRun(ios.Out, conns, typ, flagHost, flagPort)
	}
	port, err := serial.Open(s.port, &serial.Mode{BaudRate: s.baud})
	if err != nil {
		return withCode(exitInput, fmt.Errorf("send: %s: %v", s.port, err),
			"is the module plugged in, and the port right? (Linux: ls /dev/ttyUSB* /dev/ttyACM*; macOS: ls /dev/cu.*; a serial terminal holding the port must close it)")
	}
	defer port.Close()
	sess := &esp8266.Session{Port: port, Timeout: s.timeout}
	if s.transcript != "" {
		f, err := os.Create(s.transcript)
		if err != nil {
			return withCode(exitError, fmt.Errorf("-w: %w", err))
		}
		defer f.Close()
		sess.Transcript = f
	}
	fail := func(err error) error {
		var ae *esp8266.Error
		if errors.As(err, &ae) {
			return withCode(exitInput, fmt.Errorf("send: %s: %w", s.port, err))
		}
		return err
	}
	fmt.Fprintf(ios.Out, "serial %s, %d baud\n", s.port, s.baud)
	if err := sess.Hello(); err != nil {
		return fail(err)
	}
	for i, c := range conns {
		host, portNum, err := target(flagHost, flagPort, c.server)
		if err != nil {
			return err
		}
		a := &answers{out: ios.Out}
		sess.Received = func(b []byte) { a.feed(b, o.now()) }
		if err := sess.Connect(typ, host, portNum); err != nil {
			return fail(err)
		}
		fmt.Fprintf(ios.Out, "connected to %s (AT+CIPSTART=%q)\n", hostPort(host, portNum), typ)
		allSent := true
		for k, p := range c.pkts {
			if err := ctx.Err(); err != nil {
				sess.Close()
				return err
			}
			fmt.Fprintf(ios.Out, "→ %-11s %4d bytes  %s\n", p.Packet.Type, len(p.Packet.Raw), p.Name())
			for _, n := range p.Notes {
				fmt.Fprintf(ios.Out, "    %s\n", n)
			}
			if err := sess.Send(p.Packet.Raw); err != nil {
				if sess.Closed {
					allSent = false
					break
				}
				return fail(err)
			}
			a.sent(p, o.now())
			wait := o.pause
			if k == len(c.pkts)-1 {
				wait = o.readTimeout
			}
			if err := sess.Wait(wait); err != nil {
				return fail(err)
			}
			if sess.Closed {
				allSent = k == len(c.pkts)-1
				break
			}
		}
		if sess.Closed {
			a.serverClosed(o.now())
		}
		if err := sess.Close(); err != nil {
			return fail(err)
		}
		if err := a.verdict("send: connection "+strconv.Itoa(i+1)+" to "+hostPort(host, portNum), allSent, o.now()); err != nil {
			return err
		}
	}
	return nil
}

// dryRun prints the dialogue send would have with the module.
func dryRun(w io.Writer, conns []sendConn, typ, flagHost string, flagPort int) error {
	say := func(dir, s string) { fmt.Fprintf(w, "%s %s\n", dir, s) }
	say("→", "AT")
	say("←", "OK")
	say("→", "AT+CIPMUX=0")
	say("←", "OK")
	say("→", "AT+CIPMODE=0")
	say("←", "OK")
	for _, c := range conns {
		host, port, err := target(flagHost, flagPort, c.server)
		if err != nil {
			return err
		}
		say("→", "AT+CIPSTART="+strconv.Quote(typ)+","+strconv.Quote(host)+","+strconv.Itoa(port))
		say("←", "CONNECT, OK")
		for _, p := range c.pkts {
			raw := p.Packet.Raw
			for off := 0; off < len(raw); off += esp8266.MaxSend {
				part := raw[off:min(off+esp8266.MaxSend, len(raw))]
				say("→", "AT+CIPSEND="+strconv.Itoa(len(part)))
				say("←", "OK, >")
				label := p.Name()
				if len(part) < len(raw) {
					label += fmt.Sprintf(", bytes %d-%d of %d", off, off+len(part)-1, len(raw))
				}
				say("→", fmt.Sprintf("%d raw bytes (%s): %s", len(part), label, hex.EncodeToString(part)))
				say("←", "Recv "+strconv.Itoa(len(part))+" bytes, SEND OK")
			}
			say(" ", "(the server's answers arrive as +IPD,<length>:<bytes>)")
		}
		say("→", "AT+CIPCLOSE")
		say("←", "CLOSED, OK")
	}
	return nil
}
