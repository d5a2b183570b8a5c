package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/spf13/pflag"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/stream"
	tlsdec "github.com/mqttpcap/mqttpcap/transport/tls"
)

// The transports between TCP and MQTT on the command line: --tls-keylog
// (read, live, replay) and the WebSocket ports live's kernel filter lets
// through.

// tlsKeyOptions is --tls-keylog, shared by read, live and replay.
type tlsKeyOptions struct {
	path string
	// follow reads keys appended to the file while capturing (live).
	follow bool
}

func (o *tlsKeyOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.path, "tls-keylog", "", "decrypt TLS with this key log (NSS format, as SSLKEYLOGFILE and Go's KeyLogWriter write; keys in a pcapng are read anyway)")
}

// keyLog opens the key log, nil without --tls-keylog. Lines that are not
// key log lines are warned about; a file without a single one is an error
// (unless followed: a client writes it as it connects).
func (o *tlsKeyOptions) keyLog(ios *ioStreams, command string) (*tlsdec.KeyLog, error) {
	if o.path == "" {
		return nil, nil
	}
	if _, err := os.Stat(o.path); o.follow && errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(ios.ErrOut, "mqttpcap: %s--tls-keylog: %s does not exist yet: keys written to it will be read as connections need them\n", command, o.path)
	}
	k, err := tlsdec.OpenKeyLog(o.path, o.follow)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, withCode(exitInput, fmt.Errorf("%s--tls-keylog: %s: no such file", command, o.path))
	case errors.Is(err, tlsdec.ErrNoKeys):
		return nil, withCode(exitInput, fmt.Errorf("%s--tls-keylog: %s: %w", command, o.path, err),
			"a key log is written by the client: SSLKEYLOGFILE=keys.log for curl, browsers and OpenSSL 3.5+, tls.Config.KeyLogWriter in Go")
	case err != nil:
		return nil, withCode(exitInput, fmt.Errorf("%s--tls-keylog: %s: %w", command, o.path, unwrapPath(err)))
	}
	if _, bad, first, _ := k.Stats(); bad > 0 {
		fmt.Fprintf(ios.ErrOut, "mqttpcap: warning: --tls-keylog: %s: %d lines are not key log lines (the first: %s)\n", o.path, bad, first)
	}
	return k, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// filterPorts are the ports live's kernel filter passes: the MQTT ports
// and the WebSocket ports (stream.Config.SniffPorts), without repeats, at
// most capture.MaxFilterPorts (the MQTT ports first).
func filterPorts(cfg stream.Config) []uint16 {
	ports := append([]uint16(nil), cfg.Ports...)
	for _, p := range cfg.SniffPorts {
		if !slices.Contains(ports, p) && len(ports) < capture.MaxFilterPorts {
			ports = append(ports, p)
		}
	}
	return ports
}
