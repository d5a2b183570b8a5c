package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/detect"
	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/report"
)

// answers decodes what a server sends back to packets mqttpcap sent (over
// TCP for replay, in +IPD frames for send --serial), prints each, and
// judges the connection: the CONNACK explained, the OneNET verdict.
type answers struct {
	out            io.Writer
	framer         decode.Framer
	session        decode.Session
	onenet         onenet.Conn
	frame          uint64
	connack        *decode.Packet
	closed         bool
	connect        *decode.Packet // the CONNECT sent, if any
	last           string         // the last packet sent
	lastDisconnect bool           // it was a DISCONNECT
	// checked says the server's first bytes were classified; other is
	// what they are when not MQTT (see isMQTT).
	checked bool
	other   detect.Result
}

// sent tells it a packet went out.
func (a *answers) sent(p export.Packet, at time.Time) {
	a.frame++
	a.last, a.lastDisconnect = p.Name(), p.Packet.Type == decode.DISCONNECT
	if p.Packet.Type == decode.CONNECT && a.connect == nil {
		a.connect = p.Packet
	}
	var fr decode.Framer
	fr.Feed(p.Packet.Raw, true)
	if f, ok := fr.Next(); ok {
		a.onenet.Packet(a.session.Decode(f, true), true, a.frame, at)
	}
}

// feed decodes the server's bytes and prints its packets.
func (a *answers) feed(b []byte, at time.Time) {
	if !a.isMQTT(b) {
		return
	}
	a.framer.Feed(b, a.frame == 0)
	for {
		fr, ok := a.framer.Next()
		if !ok {
			return
		}
		a.frame++
		p := a.session.Decode(fr, false)
		fmt.Fprintf(a.out, "← %-11s %s\n", p.Type, report.Facts(nil, p, 80))
		for _, pr := range p.Problems {
			fmt.Fprintf(a.out, "    ! 0x%02x %s: %s\n", pr.Off, pr.Field, pr.Message)
		}
		a.onenet.Packet(p, false, a.frame, at)
		if p.Type == decode.CONNACK && a.connack == nil {
			a.connack = p.Clone()
		}
	}
}

// serverClosed records that the server closed the connection.
func (a *answers) serverClosed(at time.Time) {
	if !a.closed {
		a.closed = true
		fmt.Fprintln(a.out, "← the server closed the connection")
		a.onenet.Closed(false, "fin", a.frame, at)
	}
}

// verdict prints the OneNET verdict and returns the failure, if any
// (exit 5): a refused login, a close before the CONNACK, a close by the
// server other than after the client's last packet, a DISCONNECT. allSent
// says every packet went out.
func (a *answers) verdict(who string, allSent bool, now time.Time) error {
	if a.onenet.IsOneNET() {
		v := a.onenet.Verdict()
		if v.Status != "" {
			fmt.Fprintf(a.out, "OneNET verdict: %s: %s\n", v.Status, v.Summary)
			for _, r := range v.Reasons {
				fmt.Fprintf(a.out, "    · %s\n", r)
			}
		}
	}
	var err error
	switch {
	case a.other.Protocol != detect.MQTT:
		return withCode(exitRefused, fmt.Errorf("%s: the server does not speak MQTT: it answered with %s (%s)", who, a.other.Protocol.Name(), a.other.Detail))
	case a.connect != nil && a.connack != nil && decode.IsFailure(decode.CONNACK, a.connack.Version, a.connack.ReasonCode):
		err = fmt.Errorf("%s: the server refused the login: CONNACK %s (%s)", who, codeHex(a.connack.ReasonCode), a.connack.ReasonName())
	case a.connect != nil && a.connack == nil && a.closed:
		err = fmt.Errorf("%s: the server closed the connection without a CONNACK: it rejected the CONNECT", who)
	case a.connect != nil && a.connack == nil:
		err = fmt.Errorf("%s: no CONNACK came back", who)
	case a.closed && !(allSent && a.lastDisconnect):
		return withCode(exitRefused, fmt.Errorf("%s: the server closed the connection after %s, before the rest was sent: it rejected that packet", who, a.last),
			"OneNET closes a connection for a PUBLISH to a topic it does not allow, a payload over 256 KB, QoS 2, a will or retain (mqttpcap read on a capture names the cause)")
	default:
		return nil
	}
	if et, ok := expiredToken(a.connect, now); ok {
		return withCode(exitRefused, fmt.Errorf("%w: its OneNET token expired %s (%s ago)", err, et.Format("2006-01-02 15:04:05 UTC"), agoText(now.Sub(et))), refreshHint)
	}
	return withCode(exitRefused, err)
}

// errRefused tells a failed connection from other errors.
func errRefused(err error) bool {
	var ce *cliError
	return errors.As(err, &ce) && ce.code == exitRefused
}
