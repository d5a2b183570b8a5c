package main

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// serverFlag is the one form of --server that read, decode, encode and
// replay take: HOST[:PORT], where HOST is a name, an IPv4 address or an
// IPv6 address ([::1]:1883, or ::1 without a port). Port 0 means "not
// given": each command says what it defaults to (the captured port, the
// AT script's, 1883).
func parseServer(flag, s string) (host string, port int, err error) {
	s = strings.TrimSpace(s)
	hint := fmt.Errorf("%s %q: expected HOST or HOST:PORT, e.g. studio-mqtt.heclouds.com or 127.0.0.1:1883", flag, s)
	if s == "" {
		return "", 0, usageErr(hint)
	}
	if _, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return strings.Trim(s, "[]"), 0, nil // an address without a port (IPv6 too)
	}
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		if strings.ContainsAny(s, ":[]/ ") {
			return "", 0, usageErr(hint)
		}
		return s, 0, nil
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if h == "" || err != nil || n == 0 {
		return "", 0, usageErr(fmt.Errorf("%s %q: %q is not a TCP port (1-65535)", flag, s, p))
	}
	return h, int(n), nil
}

// addFlags adds the export flags (read and decode).
func (e *exportOptions) addFlags(f interface {
	StringVar(p *string, name, value, usage string)
	StringVarP(p *string, name, shorthand, value, usage string)
	IntVar(p *int, name string, value int, usage string)
	BoolVar(p *bool, name string, value bool, usage string)
}) {
	f.StringVar(&e.format, "export-hex", "", "write the chosen packets instead of the list: "+exportFormatList)
	f.StringVarP(&e.output, "output", "o", "", "write the export to this file (bin: this directory) instead of stdout")
	f.StringVar(&e.server, "server", "", "server for AT+CIPSTART, HOST[:PORT] (e.g. studio-mqtt.heclouds.com; the port defaults to the captured one)")
	f.IntVar(&e.port, "server-port", 0, "port for AT+CIPSTART instead of the captured one")
	f.BoolVar(&e.fix, "fix-length", false, "re-encode exported packets whose remaining length is written wrongly (one byte over 127, or not minimal)")
	f.BoolVar(&e.refresh, "refresh-token", false, "give exported CONNECTs a fresh OneNET token (needs --key; --expires or --ttl, default 365d)")
	f.StringVar(&e.expires, "expires", "", "with --refresh-token: expiry (2030-01-01, RFC 3339, Unix seconds)")
	f.StringVar(&e.ttl, "ttl", "", "with --refresh-token: expiry from now (365d, 12h)")
	f.StringVar(&e.goPkg, "go-package", "fixtures", "package name of the go fixture format")
}
