package main

import (
	"fmt"
	"strings"
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

// maxCutNamed is how many cut packets the warning names before "and N more".
const maxCutNamed = 5

// leaveCut warns, in one line on stderr, about the packets the capture
// holds only part of (export.Cut: the snap length cut their frame, or the
// capture ended inside them). Formats that mark a packet beside it (at, c)
// export them as captured, marked; the others would pass the pieces on as
// packets — a broker, and mqttpcap decode, would read the next packet's
// bytes as their rest — so they are left out, and the warning says so.
func leaveCut(ios *ioStreams, format string, pkts []export.Packet) ([]export.Packet, error) {
	whole, cut := export.WithoutCut(pkts)
	if len(cut) == 0 {
		return pkts, nil
	}
	what, list := cutList(cut)
	if export.Marks(format) {
		fmt.Fprintf(ios.ErrOut, "mqttpcap: warning: %s cut short in the capture (%s): exported as captured, marked \"! malformed\"; sent, they are not whole packets\n", what, list)
		return pkts, nil
	}
	if len(whole) == 0 {
		return nil, withCode(exitError, fmt.Errorf("--export-hex %s: every chosen packet is cut short in the capture (%s): nothing to export", format, list),
			"--export-hex at or c exports them as captured, marked")
	}
	fmt.Fprintf(ios.ErrOut, "mqttpcap: warning: %s cut short in the capture (%s): left out of the %s export, which cannot mark them; --export-hex at or c keeps them, marked\n", what, list, format)
	return whole, nil
}

// cutList names cut packets for a warning: "3 packets are", and the
// first few of them ("frame 4 CONNECT: 30 of 155 bytes captured; …").
func cutList(cut []export.Packet) (what, list string) {
	var names []string
	for _, p := range cut[:min(len(cut), maxCutNamed)] {
		names = append(names, export.CutText(p))
	}
	list = strings.Join(names, "; ")
	if len(cut) > maxCutNamed {
		list += fmt.Sprintf("; and %d more", len(cut)-maxCutNamed)
	}
	what = "1 packet is"
	if len(cut) > 1 {
		what = fmt.Sprintf("%d packets are", len(cut))
	}
	return what, list
}
