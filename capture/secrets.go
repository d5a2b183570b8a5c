package capture

import (
	"bufio"
	"encoding/binary"
)

// pcapng Decryption Secrets Blocks (pcapng spec §4.7): what editcap
// --inject-secrets writes, and Wireshark saves, so that one file carries
// capture and keys. pcapgo reads them but keeps them to itself; the File
// peeks at the blocks it is about to read (as sections does) and keeps the
// TLS key log lines of those blocks.
const (
	ngInterface         = 1
	ngDecryptionSecrets = 0x0000000a
	// SecretsTLSKeyLog is the secrets type of TLS key log lines ("TLSK").
	SecretsTLSKeyLog = 0x544c534b
)

// peekSecrets appends the TLS key log lines of the Decryption Secrets
// Blocks among the blocks br is about to give, up to the next packet block
// (or the first interface block, with toInterface: as far as pcapgo reads
// when it opens the file), reading nothing. order is the section's byte
// order; a section header on the way sets it.
func peekSecrets(br *bufio.Reader, order binary.ByteOrder, secrets []byte, toInterface bool) []byte {
	for off := 0; off+12 <= br.Size(); {
		h, _ := br.Peek(off + 12)
		if len(h) < off+12 {
			break
		}
		typ := order.Uint32(h[off:])
		if typ == ngSectionHeader {
			order = byteOrder(h[off+8 : off+12])
		}
		if typ == ngPacket || typ == ngSimplePacket || typ == ngEnhancedPacket || toInterface && typ == ngInterface {
			break
		}
		n := int(order.Uint32(h[off+4:]))
		if n < 12 || n%4 != 0 || off+n > br.Size() {
			break // damaged, or beyond the buffer: pcapgo reads on
		}
		if typ == ngDecryptionSecrets {
			b, _ := br.Peek(off + n)
			if len(b) < off+n {
				break
			}
			body := b[off+8 : off+n-4]
			if len(body) >= 8 && order.Uint32(body) == SecretsTLSKeyLog {
				if k := int(order.Uint32(body[4:])); k <= len(body)-8 {
					secrets = append(secrets, body[8:8+k]...)
					secrets = append(secrets, '\n')
				}
			}
		}
		off += n
	}
	return secrets
}

// TLSSecrets returns the TLS key log lines of the Decryption Secrets
// Blocks read since the last call (nil when none). pcapng files keep them
// before the packets they decrypt, so calling this after each packet hands
// them on in time.
func (f *File) TLSSecrets() []byte {
	s := f.secrets
	f.secrets = nil
	return s
}

// peekMagic is the byte-order magic of the section header br starts with.
func peekMagic(br *bufio.Reader) []byte {
	h, _ := br.Peek(12)
	if len(h) < 12 {
		return []byte{0x1a, 0x2b, 0x3c, 0x4d}
	}
	return h[8:12]
}
