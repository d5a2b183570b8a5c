// Command mqttclient is a real MQTT client (eclipse/paho.mqtt.golang) for
// recording captures over every transport paho speaks: tcp://, ssl://,
// ws:// and wss://. Over TLS it writes the session keys to a key log (NSS
// format, tls.Config.KeyLogWriter), so that the capture can be decrypted.
//
// Usage:
//
//	mqttclient -url ws://127.0.0.1:8080/mqtt [-id ID] [-topic T] [-count N]
//	           [-keylog FILE] [-cafile FILE] [-tls 1.2|1.3] [-ciphers NAME,...]
//
// It connects (MQTT 3.1.1, clean session, keep alive 60), subscribes to
// TOPIC at QoS 1, publishes N messages alternately at QoS 0 and 1
// ("message 1", ...), waits until its subscription has delivered them all
// back, unsubscribes and disconnects. -ciphers names TLS 1.2 cipher suites
// as Go does (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256); TLS 1.3 suites are
// chosen by the server.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

func main() {
	url := flag.String("url", "ws://127.0.0.1:8080/mqtt", "broker URL: tcp://, ssl://, ws:// or wss://")
	id := flag.String("id", "mqttclient", "client id")
	topic := flag.String("topic", "transports/test", "topic to subscribe and publish to")
	count := flag.Int("count", 2, "messages to publish")
	keylog := flag.String("keylog", "", "append TLS session keys to this file (NSS key log format)")
	cafile := flag.String("cafile", "", "CA certificate to trust (PEM)")
	version := flag.String("tls", "", "TLS version: 1.2 or 1.3 (default: both)")
	ciphers := flag.String("ciphers", "", "TLS 1.2 cipher suites to offer, comma-separated Go names")
	flag.Parse()

	opts := paho.NewClientOptions().AddBroker(*url).SetClientID(*id).SetProtocolVersion(4).
		SetCleanSession(true).SetKeepAlive(60 * time.Second).SetAutoReconnect(false).SetConnectRetry(false)
	if strings.HasPrefix(*url, "ssl://") || strings.HasPrefix(*url, "wss://") || strings.HasPrefix(*url, "tls://") {
		cfg, err := tlsConfig(*keylog, *cafile, *version, *ciphers)
		if err != nil {
			fail("%v", err)
		}
		opts.SetTLSConfig(cfg)
	}
	received := make(chan string, *count)
	c := paho.NewClient(opts)
	if t := c.Connect(); !t.WaitTimeout(5*time.Second) || t.Error() != nil {
		fail("connect: %v", t.Error())
	}
	if t := c.Subscribe(*topic, 1, func(_ paho.Client, m paho.Message) { received <- string(m.Payload()) }); !t.WaitTimeout(5*time.Second) || t.Error() != nil {
		fail("subscribe: %v", t.Error())
	}
	for i := 1; i <= *count; i++ {
		if t := c.Publish(*topic, byte((i-1)%2), false, fmt.Sprintf("message %d", i)); !t.WaitTimeout(5*time.Second) || t.Error() != nil {
			fail("publish: %v", t.Error())
		}
		select {
		case m := <-received:
			fmt.Println("received:", m)
		case <-time.After(5 * time.Second):
			fail("message %d was not delivered back", i)
		}
	}
	if t := c.Unsubscribe(*topic); !t.WaitTimeout(5*time.Second) || t.Error() != nil {
		fail("unsubscribe: %v", t.Error())
	}
	c.Disconnect(100)
}

func tlsConfig(keylog, cafile, version, ciphers string) (*tls.Config, error) {
	cfg := &tls.Config{}
	if keylog != "" {
		f, err := os.OpenFile(keylog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		cfg.KeyLogWriter = f
	}
	if cafile != "" {
		pem, err := os.ReadFile(cafile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no certificate", cafile)
		}
	}
	switch version {
	case "1.2":
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	case "1.3":
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
	case "":
	default:
		return nil, fmt.Errorf("-tls %q: want 1.2 or 1.3", version)
	}
	if ciphers != "" {
		byName := map[string]uint16{}
		for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
			byName[s.Name] = s.ID
		}
		for _, n := range strings.Split(ciphers, ",") {
			id, ok := byName[strings.TrimSpace(n)]
			if !ok {
				return nil, fmt.Errorf("-ciphers: unknown cipher suite %q", n)
			}
			cfg.CipherSuites = append(cfg.CipherSuites, id)
		}
	}
	return cfg, nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "mqttclient: "+format+"\n", args...)
	os.Exit(1)
}
