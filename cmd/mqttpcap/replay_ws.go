package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// dialWebSocket opens a replay connection to ws://HOST:PORT/PATH (wss://
// over TLS): MQTT over WebSocket, offering the subprotocol "mqtt" (MQTT
// 3.1.1 §6, 5.0 §6), each packet sent in one binary message.
func dialWebSocket(ctx context.Context, url string) (net.Conn, error) {
	// Dial through a transport that remembers the TCP connection's
	// addresses, for the "connected" line.
	var local, remote net.Addr
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: dialTimeout}
		c, err := d.DialContext(ctx, network, addr)
		if err == nil {
			local, remote = c.LocalAddr(), c.RemoteAddr()
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetNoDelay(true)
			}
		}
		return c, err
	}
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"mqtt"}, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, fmt.Errorf("the server answered the WebSocket upgrade with %s", resp.Status)
		}
		return nil, err
	}
	if ws.Subprotocol() != "mqtt" {
		ws.Close(websocket.StatusProtocolError, "no mqtt subprotocol")
		return nil, errors.New("the server did not accept the WebSocket subprotocol mqtt (MQTT-6.0.0-4)")
	}
	// MQTT packets can be larger than the library's 32 KiB default.
	ws.SetReadLimit(256 << 20)
	c := &wsConn{ws: ws, local: local, remote: wsAddr{url, remote}, msgs: make(chan []byte, 16)}
	go c.readLoop()
	return c, nil
}

// wsAddr names the server of a WebSocket replay: its URL and address.
type wsAddr struct {
	url string
	tcp net.Addr
}

func (a wsAddr) Network() string { return "websocket" }
func (a wsAddr) String() string {
	return a.url + " (" + a.tcp.String() + ", WebSocket, subprotocol mqtt)"
}

// wsConn is MQTT over a WebSocket as a net.Conn: each Write is one binary
// message, and Read reads the messages as one byte stream (MQTT over
// WebSocket is a stream: packets and messages need not line up). Unlike
// the library's NetConn, a read deadline only ends the wait: replay polls
// for answers with deadlines, and the connection must outlive them.
type wsConn struct {
	ws            *websocket.Conn
	local, remote net.Addr
	msgs          chan []byte
	err           error // why msgs was closed
	buf           []byte
	mu            sync.Mutex
	deadline      time.Time
}

func (c *wsConn) readLoop() {
	for {
		_, b, err := c.ws.Read(context.Background())
		if err != nil {
			c.err = err
			close(c.msgs)
			return
		}
		c.msgs <- b
	}
}

func (c *wsConn) Read(p []byte) (int, error) {
	if len(c.buf) == 0 {
		c.mu.Lock()
		deadline := c.deadline
		c.mu.Unlock()
		var timeout <-chan time.Time
		if !deadline.IsZero() {
			t := time.NewTimer(time.Until(deadline))
			defer t.Stop()
			timeout = t.C
		}
		select {
		case b, ok := <-c.msgs:
			if !ok {
				if websocket.CloseStatus(c.err) == websocket.StatusNormalClosure {
					return 0, errors.New("EOF: the server closed the WebSocket")
				}
				return 0, c.err
			}
			c.buf = b
		case <-timeout:
			return 0, os.ErrDeadlineExceeded
		}
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

func (c *wsConn) Write(p []byte) (int, error) {
	if err := c.ws.Write(context.Background(), websocket.MessageBinary, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *wsConn) Close() error { return c.ws.Close(websocket.StatusNormalClosure, "") }

func (c *wsConn) LocalAddr() net.Addr  { return c.local }
func (c *wsConn) RemoteAddr() net.Addr { return c.remote }

func (c *wsConn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

func (c *wsConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	c.mu.Unlock()
	return nil
}

func (c *wsConn) SetWriteDeadline(time.Time) error { return nil }
