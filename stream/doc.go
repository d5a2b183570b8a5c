// Package stream turns captured link-layer packets into the reassembled
// byte streams of the TCP connections that carry MQTT.
//
// It takes packets (with their frame number, capture info and link type),
// puts IP fragments back together (defrag.go), and gives, through a
// Handler, for each watched connection and each direction:
// the bytes in stream order, with the frame that carried every byte; gaps
// (bytes never captured) with their size; bytes cut by the snap length;
// FIN/RST and the end of the connection.
//
// Every TCP connection of the capture gets the index Wireshark gives it
// (tcp.stream, by Wireshark's own rules: number.go), so users can go back
// and forth between mqttpcap and Wireshark; only connections on the MQTT
// ports, or that open with an MQTT CONNECT on any other port, are
// reassembled. Reassembly keeps capture interfaces apart, so the same
// traffic captured on two pcapng interfaces is two connections (with one
// stream number, as in Wireshark).
//
// Reassembly is gopacket's reassembly package. Memory is bounded: buffered
// out-of-order data is capped per connection and in total, idle connections
// are flushed on capture time, and every cap that drops data is reported.
package stream
