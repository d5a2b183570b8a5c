package testutil

import (
	"log/slog"
	"net"
	"sync"

	"github.com/mochi-mqtt/server/v2/listeners"
)

// TCPListener is a TCP listener for a mochi-mqtt broker in tests, in place
// of listeners.NewTCP, whose races (mochi v2.7.9) the race detector
// reports under load:
//   - every connection's goroutine assigns the accept loop's err variable;
//   - a connection accepted while the broker closes calls
//     ClientsWg.Add(1) concurrently with the broker's ClientsWg.Wait()
//     (seen in TestSendSerialFaults: a module emulator's late connection).
//
// This one shares nothing between connections, and its Close returns only
// when every connection it accepted has been closed and handed back, so
// the broker's Wait comes after every Add.
type TCPListener struct {
	id  string
	ln  net.Listener
	log *slog.Logger

	mu     sync.Mutex
	closed bool
	open   map[net.Conn]struct{} // accepted, not yet handed back
	wg     sync.WaitGroup        // one per accepted connection
}

// NewTCPListener listens on addr ("127.0.0.1:0" for any free port) now, so
// that Address is known before the broker serves.
func NewTCPListener(id, addr string) (*TCPListener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &TCPListener{id: id, ln: ln, open: map[net.Conn]struct{}{}}, nil
}

var _ listeners.Listener = (*TCPListener)(nil)

func (l *TCPListener) ID() string       { return l.id }
func (l *TCPListener) Address() string  { return l.ln.Addr().String() }
func (l *TCPListener) Protocol() string { return "tcp" }

// Init keeps the broker's logger (called before Serve).
func (l *TCPListener) Init(log *slog.Logger) error {
	l.log = log
	return nil
}

// Serve hands every accepted connection to the broker on its own
// goroutine, until the listener is closed.
func (l *TCPListener) Serve(establish listeners.EstablishFn) {
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			return
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			_ = conn.Close()
			return
		}
		l.open[conn] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go func() {
			defer l.wg.Done()
			if err := establish(l.id, conn); err != nil {
				l.log.Debug("connection ended", "error", err)
			}
			l.mu.Lock()
			delete(l.open, conn)
			l.mu.Unlock()
		}()
	}
}

// Close stops accepting, disconnects the broker's clients of this
// listener, closes the connections that never became clients, and waits
// until the broker has let go of all of them; once, however often the
// broker calls it.
func (l *TCPListener) Close(closeClients listeners.CloseFn) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	_ = l.ln.Close()
	l.mu.Unlock()
	closeClients(l.id)
	l.mu.Lock()
	for conn := range l.open {
		_ = conn.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
}
