package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
)

// The key log editcap --inject-secrets put into wss-8084.pcapng comes out
// before the packets it decrypts.
func TestTLSSecretsInjected(t *testing.T) {
	f, err := OpenFile("../testdata/pcaps/wss-8084.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	secrets := string(f.TLSSecrets()) // read with the file's first blocks
	for frames := 0; ; frames++ {
		_, _, _, err := f.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if s := f.TLSSecrets(); s != nil && frames > 0 {
			t.Errorf("secrets after frame %d", frames)
		}
	}
	for _, label := range []string{"CLIENT_HANDSHAKE_TRAFFIC_SECRET ", "SERVER_HANDSHAKE_TRAFFIC_SECRET ", "CLIENT_TRAFFIC_SECRET_0 ", "SERVER_TRAFFIC_SECRET_0 "} {
		if strings.Count(secrets, label) != 1 {
			t.Errorf("%s: %d lines in %q", label, strings.Count(secrets, label), secrets)
		}
	}
	if f.TLSSecrets() != nil {
		t.Error("secrets handed out twice")
	}
}

// A big-endian section: the byte-order magic decides how lengths are read.
func TestTLSSecretsBigEndian(t *testing.T) {
	be := binary.BigEndian
	var b bytes.Buffer
	block := func(typ uint32, body []byte) {
		n := uint32(12 + len(body))
		binary.Write(&b, be, typ)
		binary.Write(&b, be, n)
		b.Write(body)
		binary.Write(&b, be, n)
	}
	shb := make([]byte, 16)
	be.PutUint32(shb, ngByteOrderMagic)
	be.PutUint16(shb[4:], 1)
	for i := 8; i < 16; i++ {
		shb[i] = 0xff // section length: unknown
	}
	block(ngSectionHeader, shb)
	keys := "CLIENT_RANDOM 00 11\n"
	dsb := make([]byte, 8, 8+24)
	be.PutUint32(dsb, SecretsTLSKeyLog)
	be.PutUint32(dsb[4:], uint32(len(keys)))
	dsb = append(dsb, keys...)
	for len(dsb)%4 != 0 {
		dsb = append(dsb, 0)
	}
	block(ngDecryptionSecrets, dsb)
	tap := &secretsTap{r: &b}
	for {
		// Read in odd pieces: headers split across reads.
		p := make([]byte, 5)
		if _, err := tap.Read(p); err == io.EOF {
			break
		}
	}
	if got := string(tap.secrets); got != keys+"\n" {
		t.Errorf("secrets %q", got)
	}
	// Garbage stops the tap, quietly: pcapgo reports the damage.
	tap = &secretsTap{r: strings.NewReader("not a pcapng file at all, no")}
	io.ReadAll(tap)
	if !tap.broken || tap.secrets != nil {
		t.Errorf("garbage: broken %v secrets %q", tap.broken, tap.secrets)
	}
}
