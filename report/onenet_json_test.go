package report

import "testing"

// A OneJSON value goes into a JSON line as the device wrote it, minus the
// whitespace between tokens (a newline would end the line).
func TestAppendCompactJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`21.1`, `21.1`},
		{"{\n  \"a\" : [1, 2],\r\n\t\"b\": {}\n}", `{"a":[1,2],"b":{}}`},
		{`"a b \" c\\ "`, `"a b \" c\\ "`},
		{`{"k e y": "v \\" , "x" : "\"" }`, `{"k e y":"v \\","x":"\""}`},
	}
	for _, tt := range tests {
		if got := string(appendCompactJSON(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendCompactJSON(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
