// Package pcapsplit cuts a capture into consecutive files for tests of
// reading files that continue each other (read --merge): what dumpcap -b
// or tcpdump -C would have written had they captured the same traffic.
package pcapsplit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mqttpcap/mqttpcap/capture"
)

type packet struct {
	data []byte
	ci   capture.CaptureInfo
}

// Split writes the frames of the capture at path into n pcapng files in
// dir, as equal in frames as they can be, in order (the first file gets
// the first frames), and returns their paths. Every file describes every
// interface of the capture, in the same order, as the files of a ring
// buffer do. A capture that does not read to its end is an error.
func Split(path, dir string, n int) ([]string, error) {
	src, err := capture.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var pkts []packet
	var secrets []byte
	links := map[int]capture.LinkType{}
	for {
		data, ci, lt, err := src.Next()
		secrets = append(secrets, src.TLSSecrets()...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		ci.AncillaryData = nil
		pkts = append(pkts, packet{data: append([]byte(nil), data...), ci: ci})
		if _, ok := links[ci.InterfaceIndex]; !ok {
			links[ci.InterfaceIndex] = lt
		}
	}
	interfaces := 0
	for id := range links {
		interfaces = max(interfaces, id+1)
	}
	var paths []string
	base := filepath.Base(path)
	for k := 0; k < n; k++ {
		part := filepath.Join(dir, fmt.Sprintf("%s.part%d.pcapng", base, k+1))
		var keys []byte
		if k == 0 {
			keys = secrets // before any packet, as editcap --inject-secrets puts them
		}
		if err := write(part, pkts[k*len(pkts)/n:(k+1)*len(pkts)/n], interfaces, links, keys); err != nil {
			return nil, err
		}
		paths = append(paths, part)
	}
	return paths, nil
}

func write(path string, pkts []packet, interfaces int, links map[int]capture.LinkType, secrets []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := capture.NewNgWriter(f, "split", 1, "")
	for id := 0; id < max(interfaces, 1); id++ {
		lt, ok := links[id]
		if !ok {
			lt = 1 // an interface with no packet: Ethernet
		}
		if _, err := w.AddInterface(fmt.Sprintf("if%d", id), lt); err != nil {
			f.Close()
			return err
		}
	}
	if len(secrets) > 0 {
		// A Decryption Secrets Block (pcapng §4.7) of TLS key log lines,
		// after the interface blocks: little-endian, as the writer's.
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		if _, err := f.Write(secretsBlock(secrets)); err != nil {
			f.Close()
			return err
		}
	}
	for _, p := range pkts {
		if err := w.WritePacket(p.ci, p.data); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// secretsBlock is a pcapng Decryption Secrets Block holding TLS key log
// lines.
func secretsBlock(lines []byte) []byte {
	padded := (len(lines) + 3) &^ 3
	n := 12 + 8 + padded
	b := make([]byte, n)
	le := binary.LittleEndian
	le.PutUint32(b[0:], 0x0000000a)
	le.PutUint32(b[4:], uint32(n))
	le.PutUint32(b[8:], capture.SecretsTLSKeyLog)
	le.PutUint32(b[12:], uint32(len(lines)))
	copy(b[16:], lines)
	le.PutUint32(b[n-4:], uint32(n))
	return b
}
