package tls

import (
	"crypto"
	"strconv"

	// Register the hashes the suites name.
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// Versions on the wire.
const (
	versionTLS10 = 0x0301
	versionTLS11 = 0x0302
	versionTLS12 = 0x0303
	versionTLS13 = 0x0304
)

// VersionName names a protocol version ("TLS 1.3").
func VersionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSL 3.0"
	case versionTLS10:
		return "TLS 1.0"
	case versionTLS11:
		return "TLS 1.1"
	case versionTLS12:
		return "TLS 1.2"
	case versionTLS13:
		return "TLS 1.3"
	}
	return "version 0x" + strconv.FormatUint(uint64(v), 16)
}

// cipherKind is how a suite protects records.
type cipherKind uint8

const (
	aesGCM cipherKind = iota + 1
	chacha20Poly1305
	aesCBC
)

// suite is what mqttpcap needs of a cipher suite to decrypt it: the record
// protection and its key sizes, the MAC of CBC suites, and the hash of the
// TLS 1.2 PRF or the TLS 1.3 key schedule. The key exchange does not
// matter: the key log gives the secrets it produced.
type suite struct {
	id     uint16
	name   string
	tls13  bool
	kind   cipherKind
	keyLen int
	// ivLen is the implicit (fixed) IV from the key block: 4 for TLS 1.2
	// AES-GCM, 12 for ChaCha20-Poly1305 and TLS 1.3; CBC suites carry their
	// IV in each record.
	ivLen  int
	mac    crypto.Hash // CBC suites' HMAC hash
	prf    crypto.Hash // the PRF's (TLS 1.2) or the key schedule's (TLS 1.3) hash
	macLen int
}

// suites lists the cipher suites mqttpcap decrypts (IANA names). TLS 1.2
// with AES-GCM or ChaCha20-Poly1305, whatever the key exchange; AES-CBC
// with SHA-1 or SHA-256/384 (MAC-then-encrypt, or encrypt-then-MAC when
// negotiated, RFC 7366); TLS 1.3's three AEAD suites.
var suites = []suite{
	{0x1301, "TLS_AES_128_GCM_SHA256", true, aesGCM, 16, 12, 0, crypto.SHA256, 0},
	{0x1302, "TLS_AES_256_GCM_SHA384", true, aesGCM, 32, 12, 0, crypto.SHA384, 0},
	{0x1303, "TLS_CHACHA20_POLY1305_SHA256", true, chacha20Poly1305, 32, 12, 0, crypto.SHA256, 0},

	{0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", false, aesGCM, 16, 4, 0, crypto.SHA256, 0},
	{0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false, aesGCM, 16, 4, 0, crypto.SHA256, 0},
	{0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", false, aesGCM, 32, 4, 0, crypto.SHA384, 0},
	{0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false, aesGCM, 32, 4, 0, crypto.SHA384, 0},
	{0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", false, aesGCM, 16, 4, 0, crypto.SHA256, 0},
	{0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", false, aesGCM, 32, 4, 0, crypto.SHA384, 0},
	{0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", false, aesGCM, 16, 4, 0, crypto.SHA256, 0},
	{0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", false, aesGCM, 32, 4, 0, crypto.SHA384, 0},
	{0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256", false, aesGCM, 16, 4, 0, crypto.SHA256, 0},
	{0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384", false, aesGCM, 32, 4, 0, crypto.SHA384, 0},
	{0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", false, chacha20Poly1305, 32, 12, 0, crypto.SHA256, 0},
	{0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false, chacha20Poly1305, 32, 12, 0, crypto.SHA256, 0},
	{0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false, chacha20Poly1305, 32, 12, 0, crypto.SHA256, 0},
	{0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", false, chacha20Poly1305, 32, 12, 0, crypto.SHA256, 0},

	{0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", false, aesCBC, 16, 0, crypto.SHA1, crypto.SHA256, 20},
	{0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false, aesCBC, 16, 0, crypto.SHA1, crypto.SHA256, 20},
	{0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", false, aesCBC, 32, 0, crypto.SHA1, crypto.SHA256, 20},
	{0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", false, aesCBC, 32, 0, crypto.SHA1, crypto.SHA256, 20},
	{0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", false, aesCBC, 16, 0, crypto.SHA1, crypto.SHA256, 20},
	{0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", false, aesCBC, 32, 0, crypto.SHA1, crypto.SHA256, 20},
	{0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA", false, aesCBC, 16, 0, crypto.SHA1, crypto.SHA256, 20},
	{0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", false, aesCBC, 16, 0, crypto.SHA256, crypto.SHA256, 32},
	{0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", false, aesCBC, 16, 0, crypto.SHA256, crypto.SHA256, 32},
	{0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", false, aesCBC, 32, 0, crypto.SHA384, crypto.SHA384, 48},
	{0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", false, aesCBC, 32, 0, crypto.SHA384, crypto.SHA384, 48},
	{0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", false, aesCBC, 16, 0, crypto.SHA256, crypto.SHA256, 32},
	{0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", false, aesCBC, 32, 0, crypto.SHA256, crypto.SHA256, 32},
	{0x00ae, "TLS_PSK_WITH_AES_128_CBC_SHA256", false, aesCBC, 16, 0, crypto.SHA256, crypto.SHA256, 32},
}

// otherSuites names suites mqttpcap recognises but does not decrypt, so
// the message can say which one it is.
var otherSuites = map[uint16]string{
	0x1304: "TLS_AES_128_CCM_SHA256",
	0x1305: "TLS_AES_128_CCM_8_SHA256",
	0xc0ac: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
	0xc0ae: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
	0x000a: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	0xc012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
	0x0005: "TLS_RSA_WITH_RC4_128_SHA",
	0xc011: "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
}

func suiteByID(id uint16) *suite {
	for i := range suites {
		if suites[i].id == id {
			return &suites[i]
		}
	}
	return nil
}

// SuiteName is a cipher suite's IANA name, or its number in hex.
func SuiteName(id uint16) string {
	if s := suiteByID(id); s != nil {
		return s.name
	}
	if n, ok := otherSuites[id]; ok {
		return n
	}
	return "cipher suite 0x" + strconv.FormatUint(uint64(id)|0x10000, 16)[1:]
}
