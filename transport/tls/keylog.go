package tls

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"strconv"
	"sync"
)

// Secrets are the key log's secrets of one TLS session.
type Secrets struct {
	// Master is the TLS 1.2 (and earlier) master secret (CLIENT_RANDOM).
	Master []byte
	// The TLS 1.3 traffic secrets.
	ClientEarly     []byte // CLIENT_EARLY_TRAFFIC_SECRET
	ClientHandshake []byte // CLIENT_HANDSHAKE_TRAFFIC_SECRET
	ServerHandshake []byte // SERVER_HANDSHAKE_TRAFFIC_SECRET
	ClientTraffic   []byte // CLIENT_TRAFFIC_SECRET_0
	ServerTraffic   []byte // SERVER_TRAFFIC_SECRET_0
}

// Keys is where a connection looks up its secrets.
type Keys interface {
	// Secrets returns the secrets of the session with this client random.
	Secrets(clientRandom [32]byte) (*Secrets, bool)
	// Waiting reports whether secrets not found now may still come (a key
	// log being appended to during a live capture).
	Waiting() bool
}

// KeyLog holds the secrets of an NSS key log (the SSLKEYLOGFILE format
// browsers, curl, OpenSSL and Go's tls.Config.KeyLogWriter write: one
// "LABEL <client random> <secret>" per line, in hex), from a file, from
// pcapng Decryption Secrets Blocks, or both. It is safe for concurrent use.
type KeyLog struct {
	mu       sync.Mutex
	sessions map[[32]byte]*Secrets
	// The file followed for keys appended while capturing (live), if any.
	path    string
	follow  bool
	off     int64
	partial []byte
	size    int64
	// Counts, for messages.
	lines, bad, unknown int
	firstBad            string
}

// NewKeyLog returns an empty key log.
func NewKeyLog() *KeyLog { return &KeyLog{sessions: make(map[[32]byte]*Secrets)} }

// ErrNoKeys means a key log file holds no key log line at all.
var ErrNoKeys = errors.New("no TLS key log lines (NSS format: CLIENT_RANDOM ..., CLIENT_TRAFFIC_SECRET_0 ...)")

// OpenKeyLog reads a key log file. With follow, lines appended to it later
// are read when a session's secrets are looked up and not found (live
// capture: a client writes its keys as it connects). A file without a
// single key log line is ErrNoKeys, unless followed: then it may be empty,
// or not exist yet, until the first connection.
func OpenKeyLog(path string, follow bool) (*KeyLog, error) {
	k := NewKeyLog()
	k.path, k.follow = path, follow
	if err := k.refresh(); err != nil && !(follow && errors.Is(err, fs.ErrNotExist)) {
		return nil, err
	}
	if !follow && k.lines == 0 {
		return nil, ErrNoKeys
	}
	return k, nil
}

// refresh reads what was appended to the file since the last read.
func (k *KeyLog) refresh() error {
	f, err := os.Open(k.path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return errors.New("is a directory, not a key log")
	}
	if st.Size() < k.off {
		// Truncated and rewritten: read it again from the start.
		k.off, k.partial = 0, nil
	}
	if st.Size() == k.off {
		return nil
	}
	if _, err := f.Seek(k.off, io.SeekStart); err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		return err
	}
	k.off += int64(len(data))
	data = append(k.partial, data...)
	// Keep an unfinished last line for the next read (the writer may be
	// in the middle of it).
	last := bytes.LastIndexByte(data, '\n')
	if k.follow {
		k.partial = append([]byte(nil), data[last+1:]...)
		data = data[:last+1]
	}
	k.parse(data)
	return nil
}

// Add parses key log lines (a file's contents, or the secrets of a pcapng
// Decryption Secrets Block).
func (k *KeyLog) Add(data []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.parse(data)
}

func (k *KeyLog) parse(data []byte) {
	for n := 1; len(data) > 0; n++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if why := k.line(line); why != "" {
			k.bad++
			if k.firstBad == "" {
				k.firstBad = why + ": " + strconv.Quote(string(line[:min(len(line), 60)]))
			}
		}
	}
}

// line adds one key log line; it says what is wrong with it, or "".
func (k *KeyLog) line(line []byte) string {
	f := bytes.Fields(line)
	if len(f) != 3 {
		return "not LABEL CLIENT_RANDOM SECRET"
	}
	label := string(f[0])
	var field func(s *Secrets) *[]byte
	lengths := []int{32, 48} // TLS 1.3 secrets: the suite's hash length
	switch label {
	case "CLIENT_RANDOM":
		field, lengths = func(s *Secrets) *[]byte { return &s.Master }, []int{48}
	case "CLIENT_EARLY_TRAFFIC_SECRET":
		field = func(s *Secrets) *[]byte { return &s.ClientEarly }
	case "CLIENT_HANDSHAKE_TRAFFIC_SECRET":
		field = func(s *Secrets) *[]byte { return &s.ClientHandshake }
	case "SERVER_HANDSHAKE_TRAFFIC_SECRET":
		field = func(s *Secrets) *[]byte { return &s.ServerHandshake }
	case "CLIENT_TRAFFIC_SECRET_0":
		field = func(s *Secrets) *[]byte { return &s.ClientTraffic }
	case "SERVER_TRAFFIC_SECRET_0":
		field = func(s *Secrets) *[]byte { return &s.ServerTraffic }
	default:
		// RSA, EXPORTER_SECRET, EARLY_EXPORTER_SECRET, OpenSSL's
		// CLIENT_TRAFFIC_SECRET_N...: key log lines mqttpcap does not need.
		if !isLabel(f[0]) || !isHex(f[1]) || !isHex(f[2]) {
			return "not LABEL CLIENT_RANDOM SECRET"
		}
		k.unknown++
		k.lines++
		return ""
	}
	var cr [32]byte
	if len(f[1]) != 64 {
		return "the client random is not 32 bytes of hex"
	}
	if _, err := hex.Decode(cr[:], f[1]); err != nil {
		return "the client random is not hex"
	}
	if len(f[2])%2 != 0 {
		return "the secret is not hex (an odd number of digits)"
	}
	secret := make([]byte, hex.DecodedLen(len(f[2])))
	if _, err := hex.Decode(secret, f[2]); err != nil {
		return "the secret is not hex"
	}
	ok := false
	for _, n := range lengths {
		ok = ok || len(secret) == n
	}
	if !ok {
		return label + " secret of " + strconv.Itoa(len(secret)) + " bytes"
	}
	s := k.sessions[cr]
	if s == nil {
		s = &Secrets{}
		k.sessions[cr] = s
	}
	*field(s) = secret
	k.lines++
	return ""
}

// Secrets implements Keys. A key log that follows its file reads what was
// appended when a session is not found.
func (k *KeyLog) Secrets(cr [32]byte) (*Secrets, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.sessions[cr]
	if k.follow && (!ok || !s.complete()) {
		// A client writes a TLS 1.3 session's handshake secrets before
		// its traffic secrets: a lookup between the two must read on, not
		// keep the half it has (a live test lost its keys so, 1 run in 40).
		_ = k.refresh() // a file that went away keeps what was read
		s, ok = k.sessions[cr]
	}
	if !ok {
		return nil, false
	}
	// A copy: the caller may keep it while lines for the same session
	// keep coming.
	c := *s
	return &c, true
}

// complete says whether the secrets decrypt a whole session: a TLS 1.2
// master secret, or TLS 1.3's traffic secrets of both directions.
func (s *Secrets) complete() bool {
	return s.Master != nil || (s.ClientTraffic != nil && s.ServerTraffic != nil)
}

// Waiting implements Keys.
func (k *KeyLog) Waiting() bool { return k.follow }

// Stats says how many lines were read, how many were not key log lines
// (with the first one and what is wrong with it), and how many sessions
// have secrets.
func (k *KeyLog) Stats() (lines, bad int, firstBad string, sessions int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lines, k.bad, k.firstBad, len(k.sessions)
}

func isLabel(b []byte) bool {
	for _, c := range b {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func isHex(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}
