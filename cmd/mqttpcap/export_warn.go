package main

import (
	"fmt"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/onenet"
)

// refreshHint is what to do about an expired OneNET token.
const refreshHint = "--refresh-token --key KEY gives it a fresh one"

// expiredToken says whether a CONNECT's password is a OneNET token that has
// expired at now, and when it expired.
func expiredToken(p *decode.Packet, now time.Time) (time.Time, bool) {
	if p == nil || p.Type != decode.CONNECT || !p.PasswordFlag {
		return time.Time{}, false
	}
	tok, err := onenet.ParseToken(string(p.Password))
	if err != nil || tok.ET == 0 {
		return time.Time{}, false
	}
	et := time.Unix(tok.ET, 0).UTC()
	return et, et.Before(now)
}

// warnExpired warns, on stderr, about every CONNECT whose OneNET token has
// expired: sent as it is, the platform refuses the login (onenet.md §2.5).
func warnExpired(ios *ioStreams, pkts []export.Packet, now time.Time) {
	for _, p := range pkts {
		if et, ok := expiredToken(p.Packet, now); ok {
			fmt.Fprintf(ios.ErrOut, "mqttpcap: warning: %s: its OneNET token expired %s (%s ago): the platform refuses the login; %s\n",
				p.Name(), et.Format("2006-01-02 15:04:05 UTC"), agoText(now.Sub(et)), refreshHint)
		}
	}
}

// agoText is a duration in days, hours or minutes.
func agoText(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
}
