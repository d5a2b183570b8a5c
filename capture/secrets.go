package capture

import (
	"encoding/binary"
	"io"
)

// pcapng blocks the secrets tap reads (pcapng spec §4.1, §4.7).
const (
	ngSectionHeader     = 0x0a0d0d0a
	ngDecryptionSecrets = 0x0000000a
	ngByteOrderMagic    = 0x1a2b3c4d
	// SecretsTLSKeyLog is the secrets type of TLS key log lines ("TLSK").
	SecretsTLSKeyLog = 0x544c534b
	// maxSecrets bounds a Decryption Secrets Block mqttpcap keeps.
	maxSecrets = 16 << 20
)

// secretsTap watches the bytes of a pcapng file as pcapgo reads them and
// keeps the TLS key log lines of its Decryption Secrets Blocks (what
// editcap --inject-secrets writes, and Wireshark saves), which pcapgo reads
// but does not hand out. It only looks at block headers, and copies only
// Decryption Secrets Blocks.
type secretsTap struct {
	r     io.Reader
	order binary.ByteOrder
	// hdr collects a block's type, length and first 4 body bytes (the
	// byte-order magic of a section header).
	hdr  [12]byte
	hdrN int
	// rest is how many bytes of the current block are still to come
	// after hdr; body collects them for a Decryption Secrets Block.
	rest    int64
	keep    bool
	body    []byte
	secrets []byte
	broken  bool
}

func (t *secretsTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if !t.broken {
		t.scan(p[:n])
	}
	return n, err
}

func (t *secretsTap) scan(b []byte) {
	for len(b) > 0 && !t.broken {
		if t.rest == 0 && t.hdrN < len(t.hdr) {
			k := copy(t.hdr[t.hdrN:], b)
			t.hdrN += k
			b = b[k:]
			if t.hdrN < len(t.hdr) {
				return
			}
			t.startBlock()
			continue
		}
		k := int(min(t.rest, int64(len(b))))
		if t.keep {
			t.body = append(t.body, b[:k]...)
		}
		t.rest -= int64(k)
		b = b[k:]
		if t.rest == 0 {
			t.endBlock()
		}
	}
}

// startBlock reads a block header: its type and total length.
func (t *secretsTap) startBlock() {
	typ := binary.LittleEndian.Uint32(t.hdr[:])
	if typ == ngSectionHeader {
		// The byte-order magic says how the section's numbers are written.
		switch {
		case binary.LittleEndian.Uint32(t.hdr[8:]) == ngByteOrderMagic:
			t.order = binary.LittleEndian
		case binary.BigEndian.Uint32(t.hdr[8:]) == ngByteOrderMagic:
			t.order = binary.BigEndian
		default:
			t.broken = true
			return
		}
	}
	if t.order == nil {
		t.broken = true
		return
	}
	typ = t.order.Uint32(t.hdr[:])
	total := int64(t.order.Uint32(t.hdr[4:]))
	if total < 12 || total%4 != 0 {
		t.broken = true // pcapgo reports the damage
		return
	}
	t.rest = total - 12
	t.keep = typ == ngDecryptionSecrets && total <= maxSecrets
	t.body = append(t.body[:0], t.hdr[8:]...)
	if t.rest == 0 {
		t.endBlock()
	}
}

// endBlock keeps the key log lines of a Decryption Secrets Block: secrets
// type, secrets length, the secrets (then padding, options and the
// trailing length).
func (t *secretsTap) endBlock() {
	t.hdrN = 0
	if !t.keep || len(t.body) < 8 {
		return
	}
	typ, n := t.order.Uint32(t.body), int(t.order.Uint32(t.body[4:]))
	if typ == SecretsTLSKeyLog && n <= len(t.body)-8 {
		t.secrets = append(t.secrets, t.body[8:8+n]...)
		t.secrets = append(t.secrets, '\n')
	}
	t.keep, t.body = false, t.body[:0]
}

// TLSSecrets returns the TLS key log lines of the Decryption Secrets
// Blocks read since the last call (nil when none). pcapng files keep them
// before the packets they decrypt, and they are read ahead of the packets,
// so calling this after each packet hands them on in time.
func (f *File) TLSSecrets() []byte {
	if f.tap == nil || len(f.tap.secrets) == 0 {
		return nil
	}
	s := f.tap.secrets
	f.tap.secrets = nil
	return s
}
