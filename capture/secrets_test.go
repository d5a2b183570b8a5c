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

// A big-endian file with secrets after the interface and between packets:
// each comes out before the packet after it, once.
func TestTLSSecretsBigEndian(t *testing.T) {
	be := binary.BigEndian
	var b bytes.Buffer
	block := func(typ uint32, body []byte) {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
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
	dsb := func(keys string) []byte {
		d := make([]byte, 8, 8+len(keys))
		be.PutUint32(d, SecretsTLSKeyLog)
		be.PutUint32(d[4:], uint32(len(keys)))
		return append(d, keys...)
	}
	idb := make([]byte, 8)
	be.PutUint16(idb, 101) // LINKTYPE_RAW
	be.PutUint32(idb[4:], 65535)
	epb := func() []byte {
		e := make([]byte, 20, 24)
		be.PutUint32(e[12:], 4)
		be.PutUint32(e[16:], 4)
		return append(e, 0x45, 0, 0, 4)
	}
	block(ngSectionHeader, shb)
	block(ngInterface, idb)
	block(ngDecryptionSecrets, dsb("CLIENT_RANDOM 00 11"))
	block(ngEnhancedPacket, epb())
	block(ngDecryptionSecrets, dsb("CLIENT_RANDOM 22 33"))
	block(ngEnhancedPacket, epb())
	f, err := NewReader(&b, "be.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		// As the pipeline does: the secrets read with a packet go first.
		_, _, _, err := f.Next()
		if s := f.TLSSecrets(); s != nil {
			got = append(got, string(s))
		}
		if err != nil {
			break
		}
		got = append(got, "packet")
	}
	want := []string{"CLIENT_RANDOM 00 11\n", "packet", "CLIENT_RANDOM 22 33\n", "packet"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}
