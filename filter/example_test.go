package filter_test

import (
	"fmt"
	"net/netip"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/filter"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

func ExampleParse() {
	f, err := filter.Parse(`type == PUBLISH && qos > 0`)
	if err != nil {
		fmt.Println(err)
		return
	}
	// A PUBLISH QoS 1 to "home/temp" with packet id 10 and payload "21.5".
	var d decode.Decoder
	p := d.Decode([]byte("\x32\x11\x00\x09home/temp\x00\x0a21.5"), decode.V311)
	conn := &stream.Conn{Client: netip.MustParseAddrPort("192.168.4.2:50000"), Server: netip.MustParseAddrPort("183.230.40.39:1883")}
	r := &pipeline.Record{Kind: pipeline.KindPacket, Frame: 7, Conn: conn, FromClient: true, Packet: p}
	fmt.Println(f, "→", f.Match(r))

	_, err = filter.Parse(`type == && qos > 0`)
	fmt.Println(err)
	_, err = filter.Parse(`topik contains "property"`)
	fmt.Println(err)
	// Output:
	// type == PUBLISH && qos > 0 → true
	// column 9: expected a value after "==" in 'type == && qos > 0'
	// column 1: unknown field "topik" (did you mean "topic"?) in 'topik contains "property"'
}

func ExampleFields() {
	for _, f := range filter.Fields()[:3] {
		fmt.Printf("%-12s %-7s %s\n", f.Name, f.Type, f.Help)
	}
	// Output:
	// kind         string  what the record is, as the JSON's "kind": "mqtt" (a packet), "event" (a gap, TLS, FIN...) or "connection" (a connection's end)
	// event.type   string  the event (the JSON's "type" of an event): gap, tls, not_mqtt, incomplete, cap, fin, rst, snaplen, link_type, cut_short, damaged, ws_upgrade, ws_ping, ws_pong, ws_close, ws_problem, tls_alert, tls_key_update, tls_problem
	// event.message string  the event's message
}
