package transport

import (
	"testing"
	"time"
)

// segments gives the bytes of a feed the frames of the segments that
// carried them: segment i holds the bytes before ends[i].
type segments []int

func (s segments) Origin(off int) (uint64, time.Time) {
	for i, end := range s {
		if off < end {
			return uint64(i + 1), time.Unix(int64(i+1), 0)
		}
	}
	return 0, time.Time{}
}

func TestMarkFrom(t *testing.T) {
	src := segments{3, 4, 10, 11, 20}
	for from := 0; from < 20; from++ {
		for to := from + 1; to <= 20; to++ {
			var b Bytes
			b.Data = append(b.Data, "ab"...)
			b.Mark(2, 99, time.Unix(99, 0))
			b.Data = append(b.Data, make([]byte, to-from)...)
			b.MarkFrom(to-from, src, from)
			if f, _ := b.Origin(1); f != 99 {
				t.Fatalf("[%d,%d): byte 1 from %d, want 99", from, to, f)
			}
			for i := from; i < to; i++ {
				want, wt := src.Origin(i)
				got, gt := b.Origin(2 + i - from)
				if got != want || !gt.Equal(wt) {
					t.Fatalf("[%d,%d): byte %d from frame %d at %v, want %d at %v", from, to, i, got, gt, want, wt)
				}
			}
			if len(b.runs) > 6 {
				t.Fatalf("[%d,%d): %d runs", from, to, len(b.runs))
			}
		}
	}
}

func TestLoseAndCut(t *testing.T) {
	var b Bytes
	b.Data = append(b.Data, 1, 2)
	b.Mark(2, 5, time.Unix(5, 0))
	b.Lose(3, 6, time.Unix(6, 0))
	b.Data = append(b.Data, 0, 0)
	b.Mark(2, 7, time.Unix(7, 0))
	b.Cut(1, 7)
	b.Data = append(b.Data, 0)
	b.Mark(1, 7, time.Unix(7, 0))
	b.Cut(1, 7)
	if len(b.Data) != 8 || len(b.Missing) != 2 || b.Missing[0].Off != 2 || b.Missing[0].Len != 3 || !b.Missing[0].Lost ||
		b.Missing[1].Off != 6 || b.Missing[1].Len != 2 || b.Missing[1].Lost {
		t.Fatalf("%x %+v", b.Data, b.Missing)
	}
	if f, _ := b.Origin(4); f != 6 {
		t.Errorf("lost byte from %d", f)
	}
	b.Reset()
	if b.Len() != 0 || len(b.Missing) != 0 {
		t.Error("Reset left bytes")
	}
	if f, _ := b.Origin(0); f != 0 {
		t.Errorf("empty Bytes: frame %d", f)
	}
}
