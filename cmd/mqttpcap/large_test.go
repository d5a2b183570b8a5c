package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqttpcap/mqttpcap/decode"
)

// genLargeCapture writes a capture whose numbers are large: 10,000 TCP
// connections that only send a SYN (streams 0-9999), then ~1,000,000
// frames that are not IP, then, 1500 s after the first frame, MQTT on
// streams 10000 and up: frame numbers past 1,000,000, times past 1,000 s,
// streams past 10,000. Stream 10000 is a 3.1.1 client with a
// 700-character client id, a password, the QoS 1 and QoS 2 flows and the
// broker's PUBLISH to it; stream 10001 starts mid-connection (no
// handshake, no CONNECT) with MQTT 5.0. About 30 MB, written in the
// test's temporary directory, never committed.
func genLargeCapture(t testing.TB) string {
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	g := newCapGen(t, "large.pcap", start)
	g.step = time.Microsecond
	for i := range 10000 {
		c := &genConn{client: [4]byte{10, 1, byte(i >> 8), byte(i)}, server: [4]byte{10, 0, 0, 80}, cport: 40000, sport: 80, cseq: 1}
		g.seg(c, true, tcpSYN, nil)
	}
	g.filler(1_000_000 - g.frames)
	g.t = start.Add(1500*time.Second + 908711*time.Microsecond)
	g.step = 2 * time.Millisecond

	v3 := &genConn{client: [4]byte{192, 168, 4, 2}, server: [4]byte{183, 230, 40, 39}, cport: 50000, sport: 1883, cseq: 1000, sseq: 5000}
	long := strings.Repeat("esp8266-", 87) + "abcd" // 700 characters
	g.open(v3)
	g.send(v3, true, genConnect(decode.V311, long, "VRqhDHF2wL", "s3cret-PASSWORD-long"))
	g.send(v3, false, genConnack(decode.V311, 0))
	g.send(v3, true, genSubscribe(decode.V311, 1, "cmd/"+long[:40], 1))
	g.send(v3, false, genSuback(decode.V311, 1, 1))
	g.send(v3, true, genPublish(decode.V311, "sensors/temperature/livingroom", `{"t":21.5,"h":40,"note":"`+strings.Repeat("x", 150)+`"}`, 1, 2))
	g.send(v3, false, genAck(decode.V311, decode.PUBACK, 2))
	g.send(v3, true, genPublish(decode.V311, "sensors/humidity", "40", 2, 3))
	g.send(v3, false, genAck(decode.V311, decode.PUBREC, 3))
	g.send(v3, true, genAck(decode.V311, decode.PUBREL, 3))
	g.send(v3, false, genAck(decode.V311, decode.PUBCOMP, 3))
	g.send(v3, false, genPublish(decode.V311, "cmd/"+long[:40], "reboot", 0, 0))
	g.send(v3, true, &decode.Packet{Type: decode.PINGREQ, Version: decode.V311})
	g.send(v3, false, &decode.Packet{Type: decode.PINGRESP, Version: decode.V311})
	g.send(v3, true, genDisconnect(decode.V311))
	g.shut(v3)

	mid := &genConn{client: [4]byte{192, 168, 4, 3}, server: [4]byte{10, 0, 0, 1}, cport: 50001, sport: 1883, cseq: 2000, sseq: 6000}
	g.send(mid, true, genPublish(decode.V5, "nobody/home", "hello", 1, 1))
	g.send(mid, false, genAck(decode.V5, decode.PUBACK, 1))
	g.send(mid, true, genDisconnect(decode.V5))
	g.shut(mid)
	return g.close()
}

// listLine is a packet or event line of the list: every column apart.
var listLine = regexp.MustCompile(`^ *[0-9]+ +[0-9]+\.[0-9]{6} +[0-9]+  (C→S|S→C)  [A-Z\[]`)

// The views of a capture with frame numbers past 1,000,000, streams past
// 10,000 and times past 1,000 s, for 80 and 120 columns, plain and
// coloured: no value touches its neighbour, every line fits (issue 11),
// and the output is the golden file's.
func TestGoldenLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 1,000,000-frame capture")
	}
	path := genLargeCapture(t)
	for _, view := range []struct {
		name string
		args []string
	}{
		{"list", []string{"read", path}},
		{"detail", []string{"read", "-V", "-Y", "stream == 10001 || type == CONNECT", path}},
		{"stats", []string{"stats", path}},
	} {
		for _, width := range []string{"80", "120"} {
			for _, colour := range []bool{false, true} {
				if colour && view.name != "list" {
					continue // each run reads 1,000,000 frames: the list is enough in colour
				}
				name := view.name + "." + width
				if colour {
					name += ".color"
				}
				t.Run(name, func(t *testing.T) {
					var out string
					var code int
					if colour {
						out, _, code = runCLI(t, true, []string{"TERM=xterm-256color", "COLUMNS=" + width}, view.args...)
					} else {
						out, _, code = runCLI(t, false, nil, append(view.args, "--width", width)...)
					}
					if code != 0 {
						t.Fatalf("exit %d", code)
					}
					checkWidth(t, out, width)
					if view.name == "list" {
						plain := out
						if colour {
							plain = ansi.Strip(out)
						}
						n := 0
						for _, line := range strings.Split(plain, "\n") {
							if strings.Contains(line, "C→S") || strings.Contains(line, "S→C") {
								n++
								if !listLine.MatchString(line) {
									t.Errorf("columns run together: %q", line)
								}
							}
						}
						if n < 20 {
							t.Errorf("%d list lines", n)
						}
					}
					golden(t, "large/"+name+".txt", strings.ReplaceAll(out, path, "large.pcap"))
				})
			}
		}
	}
	// Piped, nothing is shortened: the 700-character client id is whole
	// in the list; the summary table elides it (--full shows it whole).
	out, _, _ := runCLI(t, false, nil, "read", path)
	long := strings.Repeat("esp8266-", 87) + "abcd"
	if !strings.Contains(out, `client_id="`+long+`"`) {
		t.Error("piped list shortened the client id")
	}
	if strings.Contains(out, `"`+long+`"  `) || !strings.Contains(out, "--full shows them whole") {
		t.Error("the summary table did not elide the client id")
	}
	out, _, _ = runCLI(t, false, nil, "read", "--full", path)
	if !strings.Contains(out, `"`+long+`"  `) {
		t.Error("--full did not show the client id whole in the table")
	}
}
