package pipeline

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync"

	"github.com/mqttpcap/mqttpcap/decode"
)

// ErrInternal says that a bug in mqttpcap stopped part of the capture from
// being decoded: a frame the stream layer could not process, or a packet
// the decoder, the OneNET layer or the output failed on. Like Wireshark's
// "Malformed Packet" for a dissector exception, the failure is reported on
// that frame and the rest of the capture is still read; Run returns an
// error wrapping ErrInternal at the end.
var ErrInternal = errors.New("internal error")

// internalErrors counts the failures of a run. The producer and the
// consumer goroutine both report into it.
type internalErrors struct {
	mu    sync.Mutex
	n     int
	first string
	stack []byte
}

func (e *internalErrors) add(frame uint64, what string, v any) string {
	msg := what + " failed on frame " + strconv.FormatUint(frame, 10) + ": " + fmt.Sprint(v) +
		" (a bug in mqttpcap: please report it with the capture); decoding goes on"
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if e.n == 1 {
		e.first, e.stack = msg, debug.Stack()
	}
	return msg
}

// err is the error Run returns for the failures, or nil.
func (e *internalErrors) err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == 0 {
		return nil
	}
	return &InternalError{Count: e.n, First: e.first, Stack: e.stack}
}

// InternalError is what Run returns when frames hit a bug: how many, the
// first one's message and its stack (for a bug report).
type InternalError struct {
	Count int
	First string
	Stack []byte
}

func (e *InternalError) Error() string {
	if e.Count == 1 {
		return "internal error: " + e.First
	}
	return "internal error on " + strconv.Itoa(e.Count) + " frames, the first: " + e.First
}

func (e *InternalError) Unwrap() error { return ErrInternal }

// recoverStream, deferred around a call into the stream layer, turns a
// panic there into an internal_error event on the latest frame.
func (p *Pipeline) recoverStream() {
	v := recover()
	if v == nil {
		return
	}
	msg := p.internal.add(p.frames, "reassembling the TCP streams", v)
	p.handler.out.event(nil, nil, false, p.frames, p.lastTime, Event{Type: "internal_error", Message: msg})
}

// decodeSafe decodes a frame with the connection's session. A panic in the
// decoder gives the packet with an internal_error problem (and its type,
// when the first byte is there) instead of ending the run.
func (cs *consumer) decodeSafe(st *connState, fr decode.Frame, fromClient bool, frame uint64) (pkt *decode.Packet) {
	defer func() {
		if v := recover(); v != nil {
			msg := cs.p.internal.add(frame, "decoding an MQTT packet", v)
			ver, _ := st.session.Version()
			pkt = standIn(fr, ver, msg)
		}
	}()
	st.session.Scratch = &cs.scratch
	return st.session.Decode(fr, fromClient)
}

// guard ends a consumer step that panicked (in the OneNET layer or the
// output) with an internal_error event, or only counts it when reporting
// it fails too.
func (cs *consumer) guard(frame uint64, what string) {
	v := recover()
	if v == nil {
		return
	}
	msg := cs.p.internal.add(frame, what, v)
	defer func() { _ = recover() }()
	cs.rec = Record{Kind: KindEvent, Frame: frame, Event: Event{Type: "internal_error", Message: msg}}
	cs.emit()
}

// standIn is the packet a frame whose decoding panicked is shown as: its
// bytes and what its fixed header says (type, flags; a PUBLISH's DUP, QoS
// and retain), with the internal_error problem.
func standIn(fr decode.Frame, v decode.Version, msg string) *decode.Packet {
	pkt := &decode.Packet{Raw: fr.Raw, Truncated: fr.Truncated, Version: v}
	if len(fr.Raw) > 0 {
		pkt.Type, pkt.Flags = decode.Type(fr.Raw[0]>>4), fr.Raw[0]&0x0f
		if pkt.Type == decode.PUBLISH {
			pkt.DUP, pkt.QoS, pkt.Retain = pkt.Flags&8 != 0, (pkt.Flags>>1)&3, pkt.Flags&1 != 0
		}
	}
	pkt.Problems = []decode.Problem{{Field: "packet", Code: "internal_error", Message: msg}}
	return pkt
}
