package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
)

// appendingLive is a live capture during which the client writes its key
// log: the keys are appended to the file only after frame at was
// captured, as a client writes them while its handshake goes on.
type appendingLive struct {
	*fakeLive
	n, at int
	keys  []byte
	path  string
	t     *testing.T
}

func (l *appendingLive) Next() ([]byte, capture.CaptureInfo, capture.LinkType, error) {
	data, ci, lt, err := l.fakeLive.Next()
	if l.n++; l.n == l.at {
		f, ferr := os.OpenFile(l.path, os.O_APPEND|os.O_WRONLY, 0)
		if ferr != nil {
			l.t.Error(ferr)
		} else {
			f.Write(l.keys)
			f.Close()
		}
	}
	return data, ci, lt, err
}

// live --tls-keylog reads keys appended to the key log while it captures:
// the records that came before the keys wait for them, and the output is
// what read prints with the whole key log.
func TestLiveKeysAppended(t *testing.T) {
	for _, name := range []string{"tls13-aes128gcm", "tls12-chacha20"} {
		t.Run(name, func(t *testing.T) {
			path := "../../testdata/pcaps/" + name + ".pcap"
			keyfile := "../../testdata/pcaps/" + name + ".keys"
			want, _, code := runCLI(t, false, nil, "read", "--tls-keylog", keyfile, path)
			if code != 0 || !strings.Contains(want, "decrypted with the key log") {
				t.Fatalf("read: exit %d\n%s", code, want)
			}
			keys, err := os.ReadFile(keyfile)
			if err != nil {
				t.Fatal(err)
			}
			// The key log does not exist when the capture starts.
			growing := filepath.Join(t.TempDir(), "keys.log")
			l := &appendingLive{fakeLive: openFake(t, path, false), at: 9, keys: keys, path: growing, t: t}
			open := func(capture.LiveOptions) (capture.Live, error) {
				if err := os.WriteFile(growing, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				return l, nil
			}
			out, errOut, code := liveFakeWith(t, open, "-i", "fake0", "--tls-keylog", growing)
			if code != 0 {
				t.Fatalf("live: exit %d: %s", code, errOut)
			}
			if out != want {
				t.Errorf("live output differs from read's:\n%s\nread:\n%s", out, want)
			}
			if !strings.Contains(errOut, "--tls-keylog: "+growing+" does not exist yet") {
				t.Errorf("no note about the missing key log: %q", errOut)
			}
		})
	}
}

func liveFakeWith(t *testing.T, open func(capture.LiveOptions) (capture.Live, error), args ...string) (string, string, int) {
	t.Helper()
	var out, errOut strings.Builder
	code := runLiveCLI(context.Background(), open, &out, &errOut, args...)
	return out.String(), errOut.String(), code
}
