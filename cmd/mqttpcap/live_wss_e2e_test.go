//go:build linux

package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/mqttpcap/mqttpcap/capture"
)

// MQTT over WebSocket over TLS captured live on lo: a real broker
// (mochi-mqtt's WebSocket listener with a certificate made here) and a
// real client (paho over wss://) that writes its TLS keys to a key log
// while live captures, as SSLKEYLOGFILE does; live --tls-keylog reads
// them as the connection needs them and decodes every packet. Needs root
// or CAP_NET_RAW: skipped without.
func TestLiveWSSWithKeyLog(t *testing.T) {
	probe, err := capture.OpenLive(capture.LiveOptions{Interface: "lo", Filter: capture.FilterSpec{Ports: []uint16{1}}})
	switch {
	case errors.Is(err, fs.ErrPermission):
		t.Skipf("live capture on lo needs root or CAP_NET_RAW (sudo setcap cap_net_raw,cap_net_admin+eip on the test binary): %v", err)
	case errors.Is(err, capture.ErrNoInterface):
		t.Skip("no loopback interface named lo")
	case err != nil:
		t.Fatal(err)
	}
	probe.Close()

	cert, pool := testCertificate(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	srv := mqtt.New(&mqtt.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		t.Fatal(err)
	}
	ws := listeners.NewWebsocket(listeners.Config{ID: "wss", Address: addr, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
	if err := srv.AddListener(ws); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	if !waitFor(5*time.Second, func() bool {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		t.Fatal("the broker does not listen")
	}

	_, port, _ := net.SplitHostPort(addr)
	keylog := filepath.Join(t.TempDir(), "keys.log") // the client creates it when it connects
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runLiveCLI(ctx, capture.OpenLive, &stdout, &stderr, "-i", "lo", "--port", port, "--json", "--tls-keylog", keylog)
	}()
	if !waitFor(5*time.Second, func() bool { return strings.Contains(stderr.String(), "listening on lo") }) {
		cancel()
		t.Fatalf("the capture did not start: %s", stderr.String())
	}

	keys, err := os.OpenFile(keylog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	got := make(chan string, 2)
	opts := paho.NewClientOptions().AddBroker("wss://" + addr + "/mqtt").SetClientID("live-wss").SetCleanSession(true).
		SetAutoReconnect(false).SetProtocolVersion(4).SetTLSConfig(&tls.Config{RootCAs: pool, ServerName: "localhost", KeyLogWriter: keys})
	client := paho.NewClient(opts)
	wait := func(what string, tok paho.Token) {
		t.Helper()
		if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("%s: %v", what, tok.Error())
		}
	}
	wait("connect", client.Connect())
	// QoS 0 back: paho would acknowledge a QoS 1 copy after its handler,
	// and may disconnect first.
	wait("subscribe", client.Subscribe("wss/#", 0, func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) }))
	wait("publish", client.Publish("wss/t", 1, false, "over wss"))
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the message did not come back")
	}
	client.Disconnect(250)
	// mochi's WebSocket listener does not close its side: the packets are
	// all there once the DISCONNECT is.
	waitFor(5*time.Second, func() bool { return strings.Contains(stdout.String(), `"type":"DISCONNECT"`) })
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the capture did not stop when cancelled")
	}

	counts := map[string]int{}
	var tlsKeys, transport string
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var rec struct {
			Kind, Type, Transport string
			TLS                   json.RawMessage // an object on the tls event, a bool on the connection
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		switch {
		case rec.Kind == "mqtt":
			counts[rec.Type]++
			transport = rec.Transport
		case rec.Type == "tls":
			var info struct{ Keys string }
			json.Unmarshal(rec.TLS, &info)
			tlsKeys = info.Keys
		}
	}
	want := map[string]int{"CONNECT": 1, "CONNACK": 1, "SUBSCRIBE": 1, "SUBACK": 1, "PUBLISH": 2, "PUBACK": 1, "DISCONNECT": 1}
	if fmt.Sprint(counts) != fmt.Sprint(want) || tlsKeys != "found" || transport != "wss" {
		t.Errorf("MQTT packets %v (want %v), keys %q, transport %q:\n%s\n%s", counts, want, tlsKeys, transport, stdout.String(), stderr.String())
	}
}

// testCertificate makes a throwaway CA-less certificate for localhost and
// the pool that trusts it.
func testCertificate(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}
