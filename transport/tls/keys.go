package tls

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"encoding/binary"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// The key schedules: only what turns a key log's secrets into record keys.

// prf12 is the TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label + seed).
func prf12(h crypto.Hash, secret []byte, label string, seed []byte, n int) []byte {
	ls := append([]byte(label), seed...)
	mac := hmac.New(h.New, secret)
	mac.Write(ls)
	a := mac.Sum(nil) // A(1)
	out := make([]byte, 0, n+h.Size())
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(ls)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(a[:0])
	}
	return out[:n]
}

// keys12 derives the record protection of both directions of a TLS 1.2
// session from its master secret (RFC 5246 §6.3): the key block is
// client MAC key, server MAC key, client key, server key, client IV,
// server IV.
func keys12(s *suite, master, clientRandom, serverRandom []byte, etm bool) (client, server *protector, err error) {
	seed := append(append([]byte(nil), serverRandom...), clientRandom...)
	n := 2*s.macLen + 2*s.keyLen + 2*s.ivLen
	kb := prf12(s.prf, master, "key expansion", seed, n)
	cmac, kb := kb[:s.macLen], kb[s.macLen:]
	smac, kb := kb[:s.macLen], kb[s.macLen:]
	ckey, kb := kb[:s.keyLen], kb[s.keyLen:]
	skey, kb := kb[:s.keyLen], kb[s.keyLen:]
	civ, siv := kb[:s.ivLen], kb[s.ivLen:]
	if client, err = newProtector(s, ckey, civ, cmac, etm); err != nil {
		return nil, nil, err
	}
	server, err = newProtector(s, skey, siv, smac, etm)
	return client, server, err
}

// expandLabel is HKDF-Expand-Label (RFC 8446 §7.1).
func expandLabel(h crypto.Hash, secret []byte, label string, context []byte, n int) []byte {
	info := make([]byte, 0, 4+6+len(label)+len(context))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(6+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	out, err := hkdf.Expand(h.New, secret, string(info), n)
	if err != nil {
		panic("tls: HKDF-Expand-Label: " + err.Error()) // cannot happen: n is a key or hash length
	}
	return out
}

// keys13 derives the record protection of one traffic secret (RFC 8446
// §7.3).
func keys13(s *suite, secret []byte) (*protector, error) {
	key := expandLabel(s.prf, secret, "key", nil, s.keyLen)
	iv := expandLabel(s.prf, secret, "iv", nil, 12)
	p, err := newProtector(s, key, iv, nil, false)
	if p != nil {
		p.secret = secret
	}
	return p, err
}

// nextSecret13 is the traffic secret after a KeyUpdate (RFC 8446 §7.2).
func nextSecret13(s *suite, secret []byte) []byte {
	return expandLabel(s.prf, secret, "traffic upd", nil, s.prf.Size())
}

// protector removes one direction's record protection.
type protector struct {
	s     *suite
	aead  cipher.AEAD
	iv    [12]byte
	block cipher.Block // CBC
	mac   hash.Hash    // CBC: HMAC with the MAC key
	etm   bool         // CBC: encrypt-then-MAC (RFC 7366)
	seq   uint64
	// secret is the TLS 1.3 traffic secret the keys came from (for
	// KeyUpdate).
	secret []byte
	// used says a record was decrypted with these keys.
	used bool
	// Scratch for each record's nonce and additional data: slices of
	// them go to the AEAD interface, which would move locals to the heap.
	nonce [12]byte
	ad    [13]byte
	sum   []byte // CBC: the MAC computed
}

func newProtector(s *suite, key, iv, macKey []byte, etm bool) (*protector, error) {
	p := &protector{s: s, etm: etm}
	copy(p.iv[:], iv)
	var err error
	switch s.kind {
	case aesGCM:
		var b cipher.Block
		if b, err = aes.NewCipher(key); err == nil {
			if s.tls13 {
				p.aead, err = cipher.NewGCM(b)
			} else {
				// TLS 1.2 GCM: 4-byte implicit salt + 8-byte explicit nonce.
				p.aead, err = cipher.NewGCMWithNonceSize(b, 12)
			}
		}
	case chacha20Poly1305:
		p.aead, err = chacha20poly1305.New(key)
	case aesCBC:
		if p.block, err = aes.NewCipher(key); err == nil {
			p.mac = hmac.New(s.mac.New, macKey)
		}
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// overhead is the least a protected record adds to its plaintext.
func (p *protector) overhead() int {
	switch {
	case p.s.kind == aesCBC:
		return aes.BlockSize + p.s.macLen
	case p.s.tls13:
		return 16 + 1 // tag and content type
	case p.s.kind == aesGCM:
		return 8 + 16
	}
	return 16
}

// open removes the protection of a record (header hdr, body ct) and
// appends the plaintext to dst; for TLS 1.3 it returns the inner content
// type. The sequence number advances whether or not it succeeds.
func (p *protector) open(dst []byte, hdr [5]byte, ct []byte) (plain []byte, typ uint8, ok bool) {
	seq := p.seq
	p.seq++
	typ = hdr[0]
	switch {
	case p.s.kind == aesCBC:
		return p.openCBC(dst, hdr, ct, seq)
	case p.s.tls13:
		p.nonce = p.iv
		p.xorSeq(seq)
		copy(p.ad[:5], hdr[:])
		start := len(dst)
		out, err := p.aead.Open(dst, p.nonce[:], ct, p.ad[:5])
		if err != nil {
			return dst, 0, false
		}
		// The inner plaintext ends with the content type and zero padding.
		i := len(out) - 1
		for i >= start && out[i] == 0 {
			i--
		}
		if i < start {
			return dst, 0, false
		}
		return out[:i], out[i], true
	case p.s.kind == aesGCM:
		if len(ct) < 8+16 {
			return dst, 0, false
		}
		copy(p.nonce[:4], p.iv[:4])
		copy(p.nonce[4:], ct[:8])
		ct = ct[8:]
		p.ad = aad12(seq, hdr, len(ct)-16)
		out, err := p.aead.Open(dst, p.nonce[:], ct, p.ad[:])
		return out, typ, err == nil
	default: // ChaCha20-Poly1305 in TLS 1.2 (RFC 7905)
		if len(ct) < 16 {
			return dst, 0, false
		}
		p.nonce = p.iv
		p.xorSeq(seq)
		p.ad = aad12(seq, hdr, len(ct)-16)
		out, err := p.aead.Open(dst, p.nonce[:], ct, p.ad[:])
		return out, typ, err == nil
	}
}

// xorSeq XORs the sequence number into the last 8 bytes of the nonce
// (RFC 8446 §5.3, RFC 7905 §2).
func (p *protector) xorSeq(seq uint64) {
	var sb [8]byte
	binary.BigEndian.PutUint64(sb[:], seq)
	for i := range sb {
		p.nonce[4+i] ^= sb[i]
	}
}

// aad12 is TLS 1.2's additional data: sequence number, type, version and
// plaintext length (RFC 5246 §6.2.3.3).
func aad12(seq uint64, hdr [5]byte, n int) [13]byte {
	var a [13]byte
	binary.BigEndian.PutUint64(a[:], seq)
	a[8], a[9], a[10] = hdr[0], hdr[1], hdr[2]
	binary.BigEndian.PutUint16(a[11:], uint16(n))
	return a
}

// openCBC removes AES-CBC protection with its HMAC (RFC 5246 §6.2.3.2,
// or RFC 7366 when encrypt-then-MAC was negotiated).
func (p *protector) openCBC(dst []byte, hdr [5]byte, ct []byte, seq uint64) ([]byte, uint8, bool) {
	bs, ml := aes.BlockSize, p.s.macLen
	macOf := func(data []byte) []byte {
		p.mac.Reset()
		p.ad = aad12(seq, hdr, len(data))
		p.mac.Write(p.ad[:])
		p.mac.Write(data)
		p.sum = p.mac.Sum(p.sum[:0])
		return p.sum
	}
	if p.etm {
		if len(ct) < bs+bs+ml || (len(ct)-ml)%bs != 0 {
			return dst, 0, false
		}
		body, tag := ct[:len(ct)-ml], ct[len(ct)-ml:]
		if !hmac.Equal(macOf(body), tag) {
			return dst, 0, false
		}
		start := len(dst)
		dst = append(dst, body[bs:]...)
		cipher.NewCBCDecrypter(p.block, body[:bs]).CryptBlocks(dst[start:], dst[start:])
		pad := int(dst[len(dst)-1])
		if pad+1 > len(dst)-start {
			return dst[:start], 0, false
		}
		return dst[:len(dst)-pad-1], hdr[0], true
	}
	if len(ct) < bs+bs || len(ct)%bs != 0 {
		return dst, 0, false
	}
	start := len(dst)
	dst = append(dst, ct[bs:]...)
	out := dst[start:]
	cipher.NewCBCDecrypter(p.block, ct[:bs]).CryptBlocks(out, out)
	pad := int(out[len(out)-1])
	if pad+1+ml > len(out) {
		return dst[:start], 0, false
	}
	for _, b := range out[len(out)-pad-1:] {
		if int(b) != pad {
			return dst[:start], 0, false
		}
	}
	n := len(out) - pad - 1 - ml
	plain, tag := out[:n], out[n:n+ml]
	if !hmac.Equal(macOf(plain), tag) {
		return dst[:start], 0, false
	}
	return dst[:start+n], hdr[0], true
}
