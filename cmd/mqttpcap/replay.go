package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/filter"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

type replayOptions struct {
	g           *globalOptions
	given       flagSet
	to          string
	server      string
	serial      serialOptions
	path        string
	stream      int
	expr        string
	filter      *filter.Filter
	pause       time.Duration
	readTimeout time.Duration
	keys        keyOptions
	tlsKeys     tlsKeyOptions
	refresh     bool
	fix         bool
	ttl         string
	expires     string
	now         func() time.Time
}

func newReplayCmd(g *globalOptions) *cobra.Command {
	o := &replayOptions{g: g, now: time.Now}
	cmd := &cobra.Command{
		Use: "replay --to HOST:PORT FILE",
		// Any file: a capture or an export.
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveDefault
		},
		Short: "Send captured or exported packets to a broker, as the ESP8266 would",
		Long: `Send MQTT packets to a broker on one TCP connection, exactly as they are
(the way an ESP8266 sends them after AT+CIPSEND), and print what the server
answers, decoded. With --to ws://HOST:PORT/PATH (or wss://) they go over
WebSocket instead, one binary message each, subprotocol mqtt. FILE is a
capture (the packets a client sent, from --stream, default the first MQTT
connection; -Y chooses among them; over WebSocket or TLS too, with
--tls-keylog), an export of "read --export-hex" (at, hex or fixture), or
"-" for hex lines on standard input.

Before flashing anything, this proves the bytes work: a refused login
(CONNACK return code 4 or 5, or a 5.0 reason code of 0x80 or more), or a
server that closes the connection before answering the CONNECT, makes the
exit status 5. With --refresh-token and --key, a OneNET CONNECT gets a
fresh token first (captured tokens are usually expired); with --fix-length a
remaining length written wrongly (one byte over 127) is re-encoded.

Each connection of the input (an AT script's AT+CIPSTART blocks, a CONNECT
after the client's first packet) goes on its own socket, to --to HOST:PORT
or --server HOST[:PORT] (the port defaulting to the input's, else 1883). A
server that closes a connection before the client's DISCONNECT fails the
replay (exit 5) too. With --serial PORT the packets go through an ESP8266's
AT firmware instead, as "mqttpcap send" sends them.

` + exitStatusHelp,
		Example: `  mqttpcap replay --to 127.0.0.1:1883 testdata/pcaps/onenet-esp8266.pcapng
  mqttpcap replay --to 127.0.0.1:1883 capture.pcapng -Y 'type == CONNECT || type == SUBSCRIBE'
  mqttpcap read capture.pcapng --export-hex -o session.at && mqttpcap replay --to studio-mqtt.heclouds.com:1883 session.at
  mqttpcap replay --to studio-mqtt.heclouds.com:1883 capture.pcapng --refresh-token --key "$KEY"
  mqttpcap replay --to ws://127.0.0.1:8080/mqtt capture.pcapng`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(errors.New("replay: expected one file (a capture or an export; - for hex lines on stdin)"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			o.given = cmd.Flags().Changed
			return runReplay(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "the broker, HOST:PORT; or ws://HOST:PORT/PATH (wss://) for MQTT over WebSocket")
	f.StringVar(&o.server, "server", "", "the broker, HOST[:PORT] (the port defaults to the one the input names, else 1883)")
	f.IntVar(&o.stream, "stream", -1, "from a capture: the tcp.stream whose client packets to send (default: the first MQTT connection)")
	f.StringVarP(&o.expr, "filter", "Y", "", `from a capture: send only the client packets matching a display filter (see "mqttpcap help filters")`)
	f.DurationVar(&o.pause, "pause", 100*time.Millisecond, "wait this long for answers after each packet")
	f.DurationVar(&o.readTimeout, "read-timeout", 2*time.Second, "after the last packet, wait this long for the server's answers")
	o.keys.addFlags(f)
	o.tlsKeys.addFlags(f)
	f.BoolVar(&o.fix, "fix-length", false, "re-encode packets whose remaining length is written wrongly (one byte over 127, or not minimal)")
	f.BoolVar(&o.refresh, "refresh-token", false, "give a OneNET CONNECT a fresh token first (needs --key; --ttl, default 1d)")
	f.StringVar(&o.ttl, "ttl", "", "with --refresh-token: validity of the new token (default 1d)")
	f.StringVar(&o.expires, "expires", "", "with --refresh-token: expiry of the new token")
	o.serial.addFlags(cmd)
	return cmd
}

func runReplay(ctx context.Context, o *replayOptions) error {
	if o.serial.port != "" || o.serial.dryRun {
		// The same packets through an ESP8266 on a serial port: send.
		if o.server == "" {
			o.server = o.to
		}
		o.to = o.server
		return runSend(ctx, o, &o.serial)
	}
	if err := checkRefreshFlags(o.given, o.refresh); err != nil {
		return err
	}
	if !o.refresh {
		if err := o.given.unusedFlag("only applies with --refresh-token (replay checks no signature)", nil, "key", "key-file"); err != nil {
			return err
		}
	}
	var host string
	var port int
	ws := strings.HasPrefix(o.to, "ws://") || strings.HasPrefix(o.to, "wss://")
	switch {
	case o.to != "" && o.server != "":
		return usageErr(errors.New("replay: --to and --server name the same thing: give one"))
	case ws:
	case o.to != "":
		if err := checkServerAddr(o.to); err != nil {
			return err
		}
		h, p, _ := net.SplitHostPort(o.to)
		n, _ := strconv.ParseUint(p, 10, 16)
		host, port = h, int(n)
	case o.server != "":
		var err error
		if host, port, err = parseServer("--server", o.server); err != nil {
			return err
		}
	default:
		return checkServerAddr("")
	}
	conns, err := o.prepare(ctx, "replay")
	if err != nil {
		return err
	}
	// Each connection on its own socket, as the device would open them.
	for i, c := range conns {
		var addr string
		var conn net.Conn
		if ws {
			addr = o.to
			conn, err = dialWebSocket(ctx, o.to)
		} else {
			h, p, terr := target(host, port, c.server)
			if terr != nil {
				return terr
			}
			addr = hostPort(h, p)
			d := net.Dialer{Timeout: dialTimeout}
			conn, err = d.DialContext(ctx, "tcp", addr)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return dialError(addr, err)
		}
		if err := o.replayConn(ctx, conn, c, fmt.Sprintf("replay: connection %d to %s", i+1, addr)); err != nil {
			return err
		}
	}
	return nil
}

// replayConn sends one connection's packets and judges the answers.
func (o *replayOptions) replayConn(ctx context.Context, conn net.Conn, c sendConn, who string) error {
	ios := o.g.ios
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	fmt.Fprintf(ios.Out, "connected to %s from %s\n", conn.RemoteAddr(), conn.LocalAddr())
	a := &answers{out: ios.Out}
	allSent := true
	buf := make([]byte, 64<<10)
	read := func(wait time.Duration) {
		deadline := time.Now().Add(wait)
		for !a.closed {
			conn.SetReadDeadline(deadline)
			n, err := conn.Read(buf)
			if n > 0 {
				a.feed(buf[:n], o.now())
			}
			if err != nil {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					a.serverClosed(o.now())
				}
				return
			}
		}
	}
	for i, p := range c.pkts {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(ios.Out, "→ %-11s %4d bytes  %s\n", p.Packet.Type, len(p.Packet.Raw), p.Name())
		for _, n := range p.Notes {
			fmt.Fprintf(ios.Out, "    %s\n", n)
		}
		if _, err := conn.Write(p.Packet.Raw); err != nil {
			fmt.Fprintf(ios.Out, "  the connection is closed: %v\n", err)
			a.serverClosed(o.now())
			allSent = false
			break
		}
		a.sent(p, o.now())
		wait := o.pause
		if i == len(c.pkts)-1 {
			wait = o.readTimeout
		}
		read(wait)
		if a.closed {
			allSent = i == len(c.pkts)-1
			break
		}
	}
	return a.verdict(who, allSent, o.now())
}

// load reads the packets to send from a capture or an export.
func (o *replayOptions) load(ctx context.Context) ([]export.Packet, error) {
	var data []byte
	var err error
	if o.path == "-" {
		data, err = io.ReadAll(o.g.ios.In)
	} else {
		data, err = os.ReadFile(o.path)
	}
	if err != nil {
		return nil, withCode(exitInput, fmt.Errorf("replay: %w", err))
	}
	if src, err := capture.NewReader(bytes.NewReader(data), o.path); err == nil {
		return o.fromCapture(ctx, src)
	}
	if o.filter != nil {
		return nil, usageErr(fmt.Errorf("replay: -Y: %s is an export, not a capture: it is sent whole", o.path))
	}
	if err := o.given.unusedFlag("only applies to a capture: "+o.path+" is an export, sent whole", nil, "stream"); err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return fromFixture(trimmed, o.path)
	}
	return fromLines(data, o.path)
}

func (o *replayOptions) fromCapture(ctx context.Context, src capture.Source) ([]export.Packet, error) {
	opts := pipeline.DefaultOptions()
	var err error
	if opts.TLSKeys, err = o.tlsKeys.keyLog(o.g.ios, "replay: "); err != nil {
		return nil, err
	}
	// Without --stream, the first MQTT connection: one connection, not
	// its stream number, which can hold several (the same connection seen
	// on two interfaces, a reused port). With --stream, every connection
	// of that stream, each on its own socket (connections).
	var first *stream.Conn
	var pkts []export.Packet
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Kind != pipeline.KindPacket || !r.FromClient || o.filter != nil && !o.filter.Match(r) {
			return nil
		}
		if o.stream < 0 && first == nil {
			first = r.Conn
		}
		if o.stream >= 0 && r.Conn.Stream == o.stream || o.stream < 0 && sameConn(r.Conn, first) {
			pkts = append(pkts, export.Packet{Frame: r.Frame, Stream: r.Conn.Stream, Client: r.Conn.Client, Server: r.Conn.Server,
				FromClient: true, Packet: r.Packet.Clone(), Interface: r.Conn.Interface, ConnFrame: r.Conn.FirstFrame})
		}
		return nil
	})
	if err := pipeline.New(opts, sink).Run(ctx, src); err != nil && !errors.Is(err, capture.ErrCutShort) {
		return nil, withCode(exitInput, fmt.Errorf("replay: %s: %w", o.path, err))
	}
	return pkts, nil
}

// sameConn says whether a and b are one connection, by the identity a
// record may read (pipeline.Record.Conn).
func sameConn(a, b *stream.Conn) bool {
	return a.Stream == b.Stream && a.Interface == b.Interface && a.FirstFrame == b.FirstFrame
}

// fromLines reads an AT script (the line after each AT+CIPSEND=n is hex)
// or hex lines (one packet per line; # comments).
func fromLines(data []byte, name string) ([]export.Packet, error) {
	var pkts []export.Packet
	var chunk []byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "AT") {
			continue
		}
		b, err := hex.DecodeString(strings.ReplaceAll(line, " ", ""))
		if err != nil {
			return nil, withCode(exitInput, fmt.Errorf("replay: %s:%d: not hex, an AT command or a # comment", name, n))
		}
		// A packet split over several CIPSENDs comes back whole.
		chunk = append(chunk, b...)
		for {
			raw, rest, ok := cutPacket(chunk)
			if !ok {
				break
			}
			var d decode.Decoder
			pkts = append(pkts, export.Packet{Frame: uint64(len(pkts) + 1), FromClient: true, Packet: d.Decode(raw, decode.V311).Clone()})
			chunk = rest
		}
	}
	if len(chunk) > 0 {
		return nil, withCode(exitInput, fmt.Errorf("replay: %s: %d bytes at the end are not a whole MQTT packet", name, len(chunk)))
	}
	return pkts, sc.Err()
}

// cutPacket takes the first whole packet off b.
func cutPacket(b []byte) ([]byte, []byte, bool) {
	var f decode.Framer
	f.Feed(b, true)
	fr, ok := f.Next()
	if !ok {
		return nil, b, false
	}
	n := len(fr.Raw)
	return b[:n:n], b[n:], true
}

func fromFixture(data []byte, name string) ([]export.Packet, error) {
	var doc struct {
		Packets []struct {
			Hex  string
			From string
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, withCode(exitInput, fmt.Errorf("replay: %s: not a capture, a fixture or hex lines: %w", name, err))
	}
	var lines []string
	for _, p := range doc.Packets {
		if p.From != "server" {
			lines = append(lines, p.Hex)
		}
	}
	return fromLines([]byte(strings.Join(lines, "\n")), name)
}

// dialTimeout is how long replay waits for the TCP connection.
const dialTimeout = 10 * time.Second

// checkServerAddr checks --to before anything is read or sent: HOST:PORT
// with a port number.
func checkServerAddr(to string) error {
	hint := "usage: mqttpcap replay --to HOST:PORT FILE, e.g. --to 127.0.0.1:1883 or --to studio-mqtt.heclouds.com:1883"
	if to == "" {
		return usageErr(errors.New("replay: --to HOST:PORT is required"), hint)
	}
	_, port, err := net.SplitHostPort(to)
	if err != nil {
		return usageErr(fmt.Errorf("replay: --to %q: expected HOST:PORT (with the port, e.g. 1883)", to), hint)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return usageErr(fmt.Errorf("replay: --to %q: %q is not a TCP port (1-65535)", to, port), hint)
	}
	return nil
}

// dialError says why the server could not be reached, in words, without
// Go's "dial tcp ...: connect:" chain.
func dialError(to string, err error) error {
	hints := []string{"is the broker running and listening on that address? (replay sends nothing until it connects)"}
	var why string
	var dnsErr *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		why = "connection refused"
	case errors.As(err, &dnsErr):
		why = fmt.Sprintf("unknown host %q", dnsErr.Name)
		hints = []string{"check the host name, or give an IP address"}
	case errors.As(err, &ne) && ne.Timeout():
		why = "no answer within " + dialTimeout.String()
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		why = "no route to the host"
	default:
		why = err.Error()
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			why = oe.Err.Error()
			var se *os.SyscallError
			if errors.As(oe.Err, &se) {
				why = se.Err.Error()
			}
		}
	}
	return withCode(exitNoServer, fmt.Errorf("replay: %s: cannot connect: %s", to, why), hints...)
}

func codeHex(c uint8) string { return "0x" + strconv.FormatUint(uint64(c)|0x100, 16)[1:] }
