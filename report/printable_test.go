package report

import "testing"

func TestPrintableRun(t *testing.T) {
	for _, c := range []string{"", "a", "abcdefgh", "abcdefghi\x00", "abc\x1f", "abcdefgh\x7f", "\x7e\x20abcdefghijklmnop\x80x", "héllo world"} {
		want := 0
		for want < len(c) && c[want] >= 0x20 && c[want] < 0x7f {
			want++
		}
		if got := printableRun([]byte(c), 0); got != want {
			t.Errorf("%q: %d want %d", c, got, want)
		}
		for m := 1; m < 12; m++ {
			w := min(want, m)
			if got := printableRun([]byte(c), m); got != w {
				t.Errorf("%q max %d: %d want %d", c, m, got, w)
			}
		}
	}
	for b := 0; b < 256; b++ {
		v := []byte("abcdefgh")
		v[3] = byte(b)
		want := 8
		if b < 0x20 || b > 0x7e {
			want = 3
		}
		if got := printableRun(v, 0); got != want {
			t.Errorf("byte %#x: %d want %d", b, got, want)
		}
	}
}
