//go:build linux

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/testutil"
)

// startOpenBroker runs a mochi-mqtt broker that lets everyone in, on
// loopback, and returns its address.
func startOpenBroker(t *testing.T) string {
	t.Helper()
	srv := mqtt.New(&mqtt.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		t.Fatal(err)
	}
	tcp, err := testutil.NewTCPListener("live", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddListener(tcp); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	return tcp.Address()
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// A real session on loopback, captured live on lo and on "any": a broker
// and a client (connect, subscribe, QoS 0, 1 and 2 publishes the broker
// sends back, disconnect). Every MQTT packet is printed once, decoded;
// every segment is captured once (loopback's outgoing copies are dropped);
// the -w file reads back the same. Needs root or CAP_NET_RAW: skipped
// without.
func TestLiveLoopbackSession(t *testing.T) {
	for _, iface := range []string{"lo", "any"} {
		t.Run(iface, func(t *testing.T) { liveSession(t, iface) })
	}
}

func liveSession(t *testing.T, iface string) {
	probe, err := capture.OpenLive(capture.LiveOptions{Interface: iface, Filter: capture.FilterSpec{Ports: []uint16{1}}})
	switch {
	case errors.Is(err, fs.ErrPermission):
		t.Skipf("live capture on %s needs root or CAP_NET_RAW (sudo setcap cap_net_raw,cap_net_admin+eip on the test binary): %v", iface, err)
	case errors.Is(err, capture.ErrNoInterface):
		t.Skip("no loopback interface named lo")
	case err != nil:
		t.Fatal(err)
	}
	probe.Close()

	addr := startOpenBroker(t)
	_, port, _ := net.SplitHostPort(addr)
	saved := filepath.Join(t.TempDir(), "lo.pcapng")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runLiveCLI(ctx, capture.OpenLive, &stdout, &stderr, "-i", iface, "--port", port, "--json", "-w", saved)
	}()
	if !waitFor(5*time.Second, func() bool { return strings.Contains(stderr.String(), "listening on "+iface) }) {
		cancel()
		t.Fatalf("the capture did not start: %s", stderr.String())
	}

	got := make(chan string, 3)
	opts := paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID("live-e2e").SetCleanSession(true).
		SetAutoReconnect(false).SetKeepAlive(time.Minute).SetProtocolVersion(4)
	client := paho.NewClient(opts)
	wait := func(what string, tok paho.Token) {
		t.Helper()
		if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("%s: %v", what, tok.Error())
		}
	}
	wait("connect", client.Connect())
	wait("subscribe", client.Subscribe("live/#", 2, func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) }))
	for qos := byte(0); qos <= 2; qos++ {
		wait(fmt.Sprintf("publish QoS %d", qos), client.Publish(fmt.Sprintf("live/q%d", qos), qos, false, fmt.Sprintf("qos %d", qos)))
	}
	for i := 0; i < 3; i++ {
		select {
		case <-got:
		case <-time.After(5 * time.Second):
			t.Fatalf("%d of 3 messages came back", i)
		}
	}
	// paho hands a QoS 2 message over at its PUBLISH: let the client finish
	// the exchange (its PUBCOMP) before it disconnects.
	waitFor(5*time.Second, func() bool { return strings.Count(stdout.String(), `"type":"PUBCOMP"`) == 2 })
	client.Disconnect(250)

	const want = 19
	// The connection record comes once both sides closed: every data
	// segment of the session has been captured by then, so nothing the
	// checks below count can come later (no sleep to guess it).
	waitFor(5*time.Second, func() bool {
		return strings.Count(stdout.String(), `{"kind":"mqtt"`) >= want && strings.Contains(stdout.String(), `{"kind":"connection"`)
	})
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the capture did not stop when cancelled")
	}

	// Every packet once, decoded.
	counts := map[string]int{}
	var live []string
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var rec struct {
			Kind, Type string
			Problems   []any
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if rec.Kind == "mqtt" {
			counts[rec.Type]++
			live = append(live, line)
			if len(rec.Problems) > 0 {
				t.Errorf("problems: %s", line)
			}
		}
	}
	// PUBLISH: 3 from the client, and the broker's 3 copies to it; each
	// QoS 1 and 2 exchange happens once per direction.
	wantCounts := map[string]int{"CONNECT": 1, "CONNACK": 1, "SUBSCRIBE": 1, "SUBACK": 1, "PUBLISH": 6,
		"PUBACK": 2, "PUBREC": 2, "PUBREL": 2, "PUBCOMP": 2, "DISCONNECT": 1}
	if fmt.Sprint(counts) != fmt.Sprint(wantCounts) {
		t.Errorf("MQTT packets: %v\nwant %v\n%s", counts, wantCounts, stdout.String())
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf(", %d MQTT packets, 1 connection, ", want)) {
		t.Errorf("summary: %s", stderr.String())
	}

	// Every TCP segment with data once: loopback shows each packet going
	// out and coming in, and the outgoing copy must be dropped. A copy is
	// the same IP datagram (same IP id); a retransmission, which a loaded
	// machine makes on loopback too (a tail-loss probe fires when the ACK
	// is late), is a new datagram with the same sequence number: it is sent
	// twice, so it is rightly captured twice.
	f, err := capture.OpenFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	segments := map[string]int{}
	frames := 0
	for {
		data, _, lt, err := f.Next()
		if err != nil {
			break
		}
		frames++
		p := gopacket.NewPacket(data, lt, gopacket.Default)
		tcp, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		ip, ok4 := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if ok && ok4 && len(tcp.Payload) > 0 {
			segments[fmt.Sprintf("%d>%d seq %d ip id %d", tcp.SrcPort, tcp.DstPort, tcp.Seq, ip.Id)]++
		}
	}
	for seg, n := range segments {
		if n != 1 {
			t.Errorf("segment %s captured %d times", seg, n)
		}
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("live: %d packets captured", frames)) {
		t.Errorf("%d frames in the file; summary: %s", frames, stderr.String())
	}

	// The file reads back as the same packets.
	back, errOut, code := runCLI(t, false, nil, "read", "--json", "--port", port, saved)
	if code != 0 {
		t.Fatalf("read -w file: exit %d %s", code, errOut)
	}
	var read []string
	for _, line := range strings.Split(strings.TrimSpace(back), "\n") {
		if strings.HasPrefix(line, `{"kind":"mqtt"`) {
			read = append(read, line)
		}
	}
	if strings.Join(read, "\n") != strings.Join(live, "\n") {
		t.Errorf("the -w file reads back differently:\n%s\nlive:\n%s", strings.Join(read, "\n"), strings.Join(live, "\n"))
	}
	t.Logf("%d frames, %d MQTT packets; %s", frames, len(live), strings.TrimSpace(stderr.String()))
}
