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
	"time"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/detect"
	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/filter"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

type replayOptions struct {
	g           *globalOptions
	to          string
	path        string
	stream      int
	expr        string
	filter      *filter.Filter
	pause       time.Duration
	readTimeout time.Duration
	keys        keyOptions
	refresh     bool
	fix         bool
	ttl         string
	expires     string
	now         func() time.Time
}

func newReplayCmd(g *globalOptions) *cobra.Command {
	o := &replayOptions{g: g, now: time.Now}
	cmd := &cobra.Command{
		Use:   "replay --to HOST:PORT FILE",
		Short: "Send captured or exported packets to a broker, as the ESP8266 would",
		Long: `Send MQTT packets to a broker on one TCP connection, exactly as they are
(the way an ESP8266 sends them after AT+CIPSEND), and print what the server
answers, decoded. FILE is a capture (the packets a client sent, from
--stream, default the first MQTT connection; -Y chooses among them), an
export of
"read --export-hex" (at, hex or fixture), or "-" for hex lines on standard
input.

Before flashing anything, this proves the bytes work: a refused login
(CONNACK return code 4 or 5, or a 5.0 reason code of 0x80 or more), or a
server that closes the connection before answering the CONNECT, makes the
exit status 5. With --refresh-token and --key, a OneNET CONNECT gets a
fresh token first (captured tokens are usually expired); with --fix-length a
remaining length written wrongly (one byte over 127) is re-encoded.

` + exitStatusHelp,
		Example: `  mqttpcap replay --to 127.0.0.1:1883 testdata/pcaps/onenet-esp8266.pcapng
  mqttpcap replay --to 127.0.0.1:1883 capture.pcapng -Y 'type == CONNECT || type == SUBSCRIBE'
  mqttpcap read capture.pcapng --export-hex -o session.at && mqttpcap replay --to studio-mqtt.heclouds.com:1883 session.at
  mqttpcap replay --to studio-mqtt.heclouds.com:1883 capture.pcapng --refresh-token --key "$KEY"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(errors.New("replay: expected one file (a capture or an export; - for hex lines on stdin)"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			return runReplay(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "the broker, HOST:PORT (required)")
	f.IntVar(&o.stream, "stream", -1, "from a capture: the tcp.stream whose client packets to send (default: the first MQTT connection)")
	f.StringVarP(&o.expr, "filter", "Y", "", `from a capture: send only the client packets matching a display filter (see "mqttpcap help filters")`)
	f.DurationVar(&o.pause, "pause", 100*time.Millisecond, "wait this long for answers after each packet")
	f.DurationVar(&o.readTimeout, "read-timeout", 2*time.Second, "after the last packet, wait this long for the server's answers")
	o.keys.addFlags(f)
	f.BoolVar(&o.fix, "fix-length", false, "re-encode packets whose remaining length is written wrongly (one byte over 127, or not minimal)")
	f.BoolVar(&o.refresh, "refresh-token", false, "give a OneNET CONNECT a fresh token first (needs --key; --ttl, default 1d)")
	f.StringVar(&o.ttl, "ttl", "", "with --refresh-token: validity of the new token (default 1d)")
	f.StringVar(&o.expires, "expires", "", "with --refresh-token: expiry of the new token")
	return cmd
}

func runReplay(ctx context.Context, o *replayOptions) error {
	ios := o.g.ios
	if o.to == "" {
		return usageErr(errors.New("replay: --to HOST:PORT is required"))
	}
	var err error
	if o.filter, err = parseFilter("replay: ", o.expr); err != nil {
		return err
	}
	pkts, err := o.load(ctx)
	if err != nil {
		return err
	}
	if len(pkts) == 0 {
		return withCode(exitInput, fmt.Errorf("replay: %s: no packet to send", o.path))
	}
	if err := fixLengths(ios, pkts, o.fix); err != nil {
		return err
	}
	if o.refresh {
		ex := exportOptions{refresh: true, ttl: o.ttl, expires: o.expires, now: o.now}
		if ex.ttl == "" && ex.expires == "" {
			ex.ttl = "1d"
		}
		keyFn, err := o.keys.keyFunc(ios)
		if err != nil {
			return err
		}
		if keyFn == nil {
			return usageErr(errors.New("replay: --refresh-token needs the access key: --key, --key-file or $" + keyEnv))
		}
		exp, err := ex.expiry()
		if err != nil {
			return err
		}
		for i := range pkts {
			if _, err := export.RefreshToken(&pkts[i], keyFn, exp); err != nil {
				return withCode(exitError, fmt.Errorf("replay: --refresh-token: %w", err))
			}
		}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", o.to)
	if err != nil {
		return withCode(exitInput, fmt.Errorf("replay: %s: %w", o.to, err))
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	fmt.Fprintf(ios.Out, "connected to %s from %s\n", conn.RemoteAddr(), conn.LocalAddr())
	r := &replayReader{conn: conn, out: ios.Out}
	for i, p := range pkts {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(ios.Out, "→ %-11s %4d bytes  %s\n", p.Packet.Type, len(p.Packet.Raw), p.Name())
		for _, n := range p.Notes {
			fmt.Fprintf(ios.Out, "    %s\n", n)
		}
		if _, err := conn.Write(p.Packet.Raw); err != nil {
			fmt.Fprintf(ios.Out, "  the connection is closed: %v\n", err)
			break
		}
		wait := o.pause
		if i == len(pkts)-1 {
			wait = o.readTimeout
		}
		if r.read(wait) {
			break
		}
	}
	return r.verdict()
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
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return fromFixture(trimmed, o.path)
	}
	return fromLines(data, o.path)
}

func (o *replayOptions) fromCapture(ctx context.Context, src capture.Source) ([]export.Packet, error) {
	opts := pipeline.DefaultOptions()
	stream := o.stream
	var pkts []export.Packet
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Kind != pipeline.KindPacket || !r.FromClient || o.filter != nil && !o.filter.Match(r) {
			return nil
		}
		if stream < 0 {
			stream = r.Conn.Stream
		}
		if r.Conn.Stream == stream {
			pkts = append(pkts, export.Packet{Frame: r.Frame, Stream: r.Conn.Stream, Client: r.Conn.Client, Server: r.Conn.Server,
				FromClient: true, Packet: r.Packet.Clone()})
		}
		return nil
	})
	if err := pipeline.New(opts, sink).Run(ctx, src); err != nil && !errors.Is(err, capture.ErrCutShort) {
		return nil, withCode(exitInput, fmt.Errorf("replay: %s: %w", o.path, err))
	}
	return pkts, nil
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

// replayReader decodes what the server answers.
type replayReader struct {
	conn    net.Conn
	out     io.Writer
	framer  decode.Framer
	session decode.Session
	connack *decode.Packet
	closed  bool
	buf     [64 << 10]byte
	// checked: the server's first bytes were classified; other is what
	// they are when not MQTT (replay_detect.go).
	checked bool
	other   detect.Result
}

// read prints the server's packets for up to wait; it returns true when
// the server closed the connection.
func (r *replayReader) read(wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for {
		r.conn.SetReadDeadline(deadline)
		n, err := r.conn.Read(r.buf[:])
		if n > 0 && r.isMQTT(r.buf[:n]) {
			r.framer.Feed(r.buf[:n], true)
			for {
				fr, ok := r.framer.Next()
				if !ok {
					break
				}
				p := r.session.Decode(fr, false)
				line := report.Facts(nil, p, 80)
				fmt.Fprintf(r.out, "← %-11s %s\n", p.Type, line)
				for _, pr := range p.Problems {
					fmt.Fprintf(r.out, "    ! 0x%02x %s: %s\n", pr.Off, pr.Field, pr.Message)
				}
				if p.Type == decode.CONNACK && r.connack == nil {
					r.connack = p.Clone()
				}
			}
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return false
			}
			if !r.closed {
				r.closed = true
				fmt.Fprintln(r.out, "← the server closed the connection")
			}
			return true
		}
	}
}

// verdict is the exit status: refused when the CONNACK says so, or when
// the server closed before answering the CONNECT.
func (r *replayReader) verdict() error {
	switch {
	case r.other.Protocol != detect.MQTT:
		return withCode(exitRefused, errors.New("replay: the server does not speak MQTT: it answered with "+r.other.Protocol.Name()+" ("+r.other.Detail+")"))
	case r.connack != nil && decode.IsFailure(decode.CONNACK, r.connack.Version, r.connack.ReasonCode):
		return withCode(exitRefused, fmt.Errorf("replay: the server refused the login: CONNACK %s (%s)",
			codeHex(r.connack.ReasonCode), r.connack.ReasonName()))
	case r.connack == nil && r.closed:
		return withCode(exitRefused, errors.New("replay: the server closed the connection without a CONNACK: it rejected the CONNECT"))
	case r.connack == nil:
		return withCode(exitRefused, errors.New("replay: no CONNACK came back"))
	}
	return nil
}

func codeHex(c uint8) string { return "0x" + strconv.FormatUint(uint64(c)|0x100, 16)[1:] }
