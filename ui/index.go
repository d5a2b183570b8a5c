package ui

import (
	"math"
	"sync"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
	"github.com/mqttpcap/mqttpcap/stream"
)

// entry is what the index keeps in memory for one row of the packet list
// (a packet or an event): 24 bytes, so that a capture of 10 million
// packets costs 240 MB at most, whatever the packets hold.
type entry struct {
	off   int64  // the record's blob in the spill file
	frame uint64 // the frame that completed the packet (or the event's)
	conn  uint32 // the index's number of its connection + 1 (0: none)
	kind  uint8  // blobPacket or blobEvent
	typ   uint8  // the MQTT packet type
	flags uint8
}

// Entry flags.
const (
	efFromClient = 1 << iota
	efProblem    // the packet has protocol problems
	efFinding    // OneNET found something wrong (an error or a warning)
	efConnect    // the connection's CONNECT had been seen (ConnInfo.HasConnect)
	efRefused    // a CONNACK that refuses the login
	efMarked     // unused in the index: marks live in the model
)

const chunkBits = 16

// conn is what the index knows of one connection: its identity (the
// pipeline's Conn may only be read for that), the pipeline's ConnInfo as of
// its latest record, and its end.
type conn struct {
	c     stream.Conn
	info  pipeline.ConnInfo
	ended bool
}

// Index is the packet list of a capture as it is read: an entry per
// packet and event, in the order read prints them, the record blobs in a
// spill file, the connections, and the summary collector. The pipeline
// fills it from its goroutine (it is a pipeline.Sink); the views read it
// from theirs.
type Index struct {
	mu      sync.RWMutex
	chunks  [][]entry
	n       int
	conns   []*conn
	open    map[*stream.Conn]uint32
	extent  pipeline.Extent
	start   time.Time // the capture's first frame
	collect *report.Collector
	spill   *spill
	enc     []byte
	frames  uint64 // frames read so far (progress)
	total   int64  // the file's size, when known (progress)
	read    int64  // bytes of it read
	done    bool
	err     error
	// grew is closed and replaced whenever entries are added or the
	// index is done, to wake the filters waiting for more.
	grew chan struct{}
	// findings and problems count the entries with each flag.
	problems, findings int
}

// NewIndex returns an empty index whose spill file is in dir (the
// system's temporary directory when "").
func NewIndex(dir string) (*Index, error) {
	sp, err := newSpill(dir)
	if err != nil {
		return nil, err
	}
	collect := report.NewCollector()
	// The connections view lists every connection (the summary of read
	// lists a bounded number): it is the way to browse them.
	collect.MaxConns = math.MaxInt32
	return &Index{spill: sp, open: make(map[*stream.Conn]uint32), collect: collect, grew: make(chan struct{})}, nil
}

// Close removes the spill file.
func (ix *Index) Close() error { return ix.spill.Close() }

// Record implements pipeline.Sink.
func (ix *Index) Record(r *pipeline.Record) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.collect.Observe(r)
	if r.Extent.Frames > ix.extent.Frames {
		ix.extent.Frames = r.Extent.Frames
	}
	ix.extent.Streams = max(ix.extent.Streams, r.Extent.Streams)
	ix.extent.Rel = max(ix.extent.Rel, r.Extent.Rel, r.Rel)
	if ix.start.IsZero() && !r.Time.IsZero() {
		ix.start = r.Time.Add(-r.Rel)
	}
	var cn uint32
	if r.Conn != nil {
		cn = ix.conn(r)
	}
	if r.Kind == pipeline.KindConnDone {
		if cn > 0 {
			c := ix.conns[cn-1]
			c.ended = true
			if r.Info != nil {
				c.info = *r.Info
			}
			delete(ix.open, r.Conn)
		}
		return nil
	}
	e := entry{frame: r.Frame, conn: cn}
	if r.FromClient {
		e.flags |= efFromClient
	}
	if r.Info != nil && r.Info.HasConnect {
		e.flags |= efConnect
	}
	switch r.Kind {
	case pipeline.KindPacket:
		p := r.Packet
		e.kind, e.typ = blobPacket, uint8(p.Type)
		if len(p.Problems) > 0 {
			e.flags |= efProblem
			ix.problems++
		}
		if hasFinding(r.OneNET) {
			e.flags |= efFinding
			ix.findings++
		}
		if p.Type == decode.CONNACK && p.HasReasonCode && decode.IsFailure(decode.CONNACK, p.Version, p.ReasonCode) {
			e.flags |= efRefused
		}
	case pipeline.KindEvent:
		e.kind = blobEvent
	default:
		return nil
	}
	ix.enc = encodeRecord(ix.enc[:0], r, cn)
	e.off = ix.spill.append(ix.enc)
	ix.add(e)
	return nil
}

// hasFinding says whether OneNET found an error or a warning in a packet.
func hasFinding(on *onenet.PacketInfo) bool {
	if on == nil {
		return false
	}
	bad := func(fs []onenet.Finding) bool {
		for _, f := range fs {
			if f.Severity != onenet.Info {
				return true
			}
		}
		return false
	}
	return on.Token != nil && bad(on.Token.Findings) || bad(on.Findings) || on.Message != nil && bad(on.Message.Findings)
}

// conn returns the index's number (+1) of a record's connection, adding it
// on its first record, and keeps its ConnInfo up to date.
func (ix *Index) conn(r *pipeline.Record) uint32 {
	cn, ok := ix.open[r.Conn]
	if !ok {
		c := r.Conn
		ix.conns = append(ix.conns, &conn{c: stream.Conn{Stream: c.Stream, Interface: c.Interface, Client: c.Client, Server: c.Server,
			Roles: c.Roles, FirstFrame: c.FirstFrame, FirstTime: c.FirstTime, StartSeen: c.StartSeen}})
		cn = uint32(len(ix.conns))
		ix.open[r.Conn] = cn
	}
	if r.Info != nil && r.Kind == pipeline.KindPacket {
		ix.conns[cn-1].info = *r.Info
	}
	return cn
}

func (ix *Index) add(e entry) {
	i := ix.n
	if i>>chunkBits == len(ix.chunks) {
		ix.chunks = append(ix.chunks, make([]entry, 0, 1<<chunkBits))
	}
	ix.chunks[i>>chunkBits] = append(ix.chunks[i>>chunkBits], e)
	ix.n++
	if ix.n&0x3ff == 0 {
		ix.wake()
	}
}

// wake tells the waiting filters that the index changed. Called with mu
// held.
func (ix *Index) wake() {
	close(ix.grew)
	ix.grew = make(chan struct{})
}

// at returns entry i. Called with mu held (for reading).
func (ix *Index) at(i int) entry { return ix.chunks[i>>chunkBits][i&(1<<chunkBits-1)] }

// Len is the number of entries.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.n
}

// Entry returns entry i.
func (ix *Index) Entry(i int) entry {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.at(i)
}

// finish marks the index complete (the capture was read to its end, or
// failed with err).
func (ix *Index) finish(err error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.done, ix.err = true, err
	ix.wake()
}

// progress records how far the reading has come.
func (ix *Index) progress(frames uint64, read int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.frames, ix.read = frames, read
}

// Status is a snapshot of the index for the status line.
type Status struct {
	Entries, Conns     int
	Problems, Findings int
	Frames             uint64
	Read, Total        int64
	Done               bool
	Err                error
	Extent             pipeline.Extent
	SpillBytes         int64
}

// Status returns a snapshot.
func (ix *Index) Status() Status {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return Status{Entries: ix.n, Conns: len(ix.conns), Problems: ix.problems, Findings: ix.findings, Frames: ix.frames,
		Read: ix.read, Total: ix.total, Done: ix.done, Err: ix.err, Extent: ix.extent, SpillBytes: ix.spill.size}
}

// Row is a record rebuilt from the index for a view: the record as the
// pipeline handed it on, its packet decoded again from the spill.
type Row struct {
	Index int
	pipeline.Record
	conn    *conn
	info    pipeline.ConnInfo
	connTmp stream.Conn
}

// loader reads records back from the index. It is not safe for concurrent
// use: each goroutine that reads has its own.
type loader struct {
	ix  *Index
	rd  *spillReader
	dec decode.Decoder
}

func (ix *Index) loader() *loader { return &loader{ix: ix, rd: ix.spill.reader()} }

// row rebuilds entry i. Its packet is valid until the next call;
// skipFields leaves the field list out.
func (l *loader) row(i int, skipFields bool) (*Row, error) {
	ix := l.ix
	ix.mu.RLock()
	e := ix.at(i)
	var c *conn
	if e.conn > 0 {
		c = ix.conns[e.conn-1]
	}
	extent := ix.extent
	var info pipeline.ConnInfo
	if c != nil {
		info = c.info
	}
	ix.mu.RUnlock()
	b, err := l.rd.blob(e.off)
	if err != nil {
		return nil, err
	}
	bl, err := decodeBlob(b, &l.dec, skipFields)
	if err != nil {
		return nil, err
	}
	r := &Row{Index: i, conn: c}
	r.Kind = pipeline.KindEvent
	if bl.kind == blobPacket {
		r.Kind = pipeline.KindPacket
	}
	r.Frame, r.Time, r.Rel, r.FromClient, r.Extent = e.frame, bl.time, bl.rel, bl.fromClient, extent
	r.Packet, r.OneNET, r.Event = bl.packet, bl.onenet, bl.event
	if c != nil {
		r.connTmp = c.c
		r.Conn = &r.connTmp
		r.info = info
		// What the record's ConnInfo said then: the CONNECT's fields only
		// once it was seen, and whether this was the connection's first
		// packet (the list's "assumed" note).
		r.info.HasConnect = e.flags&efConnect != 0
		if !r.info.HasConnect {
			r.info.ClientID, r.info.Username, r.info.KeepAlive = "", "", 0
		}
		r.info.Packets = [2]int{2, 0}
		if bl.first {
			r.info.Packets = [2]int{1, 0}
		}
		r.Info = &r.info
	}
	return r, nil
}
