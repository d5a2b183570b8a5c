package esp8266

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestParseLog(t *testing.T) {
	for _, tt := range []struct {
		name   string
		log    string
		conns  []Conn
		chunks []string // "c:hex" or "s:hex", with ":conn" for other connections
	}{
		{
			name: "echo on, raw bytes both ways, closed by the server",
			log: "AT+CIPSTART=\"TCP\",\"127.0.0.1\",1883\r\r\nCONNECT\r\n\r\nOK\r\n" +
				"AT+CIPSEND=2\r\r\n\r\nOK\r\n\r\n>\xe0\x00\r\nRecv 2 bytes\r\n\r\nSEND OK\r\n" +
				"\r\n+IPD,4:\x20\x02\x00\x05CLOSED\r\n",
			conns:  []Conn{{Type: "TCP", Host: "127.0.0.1", Port: 1883, Line: 1, Closed: "server", CloseLine: 14}},
			chunks: []string{"c:e000", "s:20020005"},
		},
		{
			name:   "echo off: the prompt without the bytes sent",
			log:    "\r\nOK\r\n\r\n>\r\nRecv 2 bytes\r\n\r\nSEND OK\r\n\r\n+IPD,2:\xd0\x00",
			conns:  []Conn{{Line: 9}},
			chunks: []string{"s:d000"},
		},
		{
			name:   "an AT script: hex on the line after the command, comments",
			log:    "# a comment\nAT+CIPSTART=\"SSL\",\"studio-mqtts.heclouds.com\",8883\nAT+CIPSEND=4\n10 02 00\n00\nAT+CIPCLOSE\n",
			conns:  []Conn{{Type: "SSL", Host: "studio-mqtts.heclouds.com", Port: 8883, Line: 2}},
			chunks: []string{"c:10020000"},
		},
		{
			name:   "SEND FAIL drops the bytes; busy p... is read past",
			log:    "AT+CIPSEND=2\r\nbusy p...\r\nAT+CIPSEND=2\r\n>\xc0\x00\r\nSEND FAIL\r\nAT+CIPSEND=2\r\n>\xe0\x00\r\nSEND OK\r\n",
			conns:  []Conn{{Line: 4}},
			chunks: []string{"c:e000"},
		},
		{
			name: "CIPMUX=1, +IPD with link and remote address, hex +IPD",
			log: "AT+CIPSTART=0,\"TCP\",\"a\",1\nAT+CIPSTART=1,\"TCP\",\"b\",2\nAT+CIPSEND=1,2\n> c000\n" +
				"+IPD,1,2,\"10.0.0.1\",2:d000\n+IPD,0,2:d0 00\n0,CLOSED\n",
			conns: []Conn{{Type: "TCP", Host: "a", Port: 1, Line: 1, Closed: "server", CloseLine: 7},
				{Type: "TCP", Host: "b", Port: 2, Line: 2}},
			chunks: []string{"c:c000:1", "s:d000:1", "s:d000:0"},
		},
		{
			name:   "timestamps and SSCOM marks",
			log:    "[12:00:01.001]发→◇AT+CIPSEND=2\r\n[12:00:01.010]收←◆>\r\n[12:00:01.011]发→◇e0 00\r\n[12:00:01.020]收←◆+IPD,2:d000\r\n",
			conns:  []Conn{{Line: 3}},
			chunks: []string{"c:e000", "s:d000"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lg := ParseLog([]byte(tt.log))
			if len(lg.Conns) != len(tt.conns) {
				t.Fatalf("conns %+v, want %+v", lg.Conns, tt.conns)
			}
			for i := range tt.conns {
				if lg.Conns[i] != tt.conns[i] {
					t.Errorf("conn %d: %+v, want %+v", i, lg.Conns[i], tt.conns[i])
				}
			}
			var got []string
			for _, c := range lg.Chunks {
				s := "c:"
				if c.FromServer {
					s = "s:"
				}
				s += hex.EncodeToString(c.Data)
				if len(tt.conns) > 1 {
					s += ":" + string(rune('0'+c.Conn))
				}
				got = append(got, s)
			}
			if strings.Join(got, " ") != strings.Join(tt.chunks, " ") {
				t.Errorf("chunks %v, want %v", got, tt.chunks)
			}
		})
	}
}

// FuzzParseLog: any bytes parse without a panic; every chunk's bytes come
// from the input (raw or as hex), none is longer than 1 MiB, lines count
// forward.
func FuzzParseLog(f *testing.F) {
	f.Add([]byte("AT+CIPSTART=\"TCP\",\"127.0.0.1\",1883\r\nAT+CIPSEND=2\r\n>\xe0\x00\r\nSEND OK\r\n+IPD,4:\x20\x02\x00\x00CLOSED\r\n"))
	f.Add([]byte("AT+CIPSEND=0,4\n> 10 02\n00 00\n+IPD,0,2,\"1.2.3.4\",5:d000\n0,CLOSED\n"))
	f.Add([]byte("[1:2]>\r\n+IPD,99999999:"))
	f.Fuzz(func(t *testing.T, b []byte) {
		lg := ParseLog(b)
		line := 0
		for _, c := range lg.Chunks {
			if len(c.Data) > len(b) || c.Conn < 0 || c.Conn >= len(lg.Conns) {
				t.Fatalf("chunk %+v of %d bytes, %d conns", c, len(b), len(lg.Conns))
			}
			if c.Line < line || c.Line < 1 {
				t.Fatalf("line %d after %d", c.Line, line)
			}
			line = c.Line
		}
	})
}
