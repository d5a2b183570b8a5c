package capture

import (
	"bytes"
	"io"
	"slices"
	"testing"

	pc "github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
)

// Interfaces are numbered across pcapng sections: the same interface id in
// two sections is two interfaces.
func TestPcapngSectionsKeepInterfacesApart(t *testing.T) {
	c := pc.New()
	var want []int
	// Section 0: interfaces 0 and 1; section 1: one interface; section 2:
	// three declared, the third used.
	for _, sec := range []struct{ section, iface, global int }{{0, 0, 0}, {0, 1, 1}, {1, 0, 2}, {2, 2, 5}, {2, 0, 3}} {
		c.Section, c.Iface = sec.section, sec.iface
		k := c.Conn("10.0.0.1:50000", "10.0.0.2:1883", 1000, 5000)
		k.Handshake()
		for range 3 {
			want = append(want, sec.global)
		}
	}
	f, err := NewReader(bytes.NewReader(c.Pcapng([]int{2, 1, 3})), "test")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for {
		_, ci, _, err := f.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ci.InterfaceIndex)
	}
	if !slices.Equal(got, want) {
		t.Errorf("interfaces %v, want %v", got, want)
	}
}
