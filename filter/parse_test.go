package filter

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		expr string
		col  int
		msg  string
	}{
		{``, 1, `empty filter`},
		{`   `, 1, `empty filter`},
		{`type == && qos > 0`, 9, `expected a value after "=="`},
		{`qos ==`, 7, `expected a value after "=="`},
		{`qos == )`, 8, `expected a value after "=="`},
		{`topic contains`, 15, `expected a value after "contains"`},
		{`topik == "x"`, 1, `unknown field "topik" (did you mean "topic"?)`},
		{`clientid == x`, 1, `unknown field "clientid" (did you mean "client_id"?)`},
		{`src_port == 1`, 1, `unknown field "src_port" (did you mean "src.port"?)`},
		{`xyzzy`, 1, `unknown field "xyzzy"`},
		{`PUBLISH`, 1, `unknown field "PUBLISH" (did you mean "type == PUBLISH"?)`},
		{`client_id == "my_tv`, 14, `unterminated string`},
		{`topic == "a\"`, 10, `unterminated string`},
		{`(qos 1)`, 6, `expected "==", "!=", "<", ">", "<=", ">=", "contains" or "matches" after field "qos"`},
		{`qos = 1`, 5, `expected "==" (a single "=" is not an operator)`},
		{`retain & dup`, 8, `expected "&&" (a single "&" is not an operator)`},
		{`retain | dup`, 8, `expected "||" (a single "|" is not an operator)`},
		{`(type == CONNECT`, 17, `expected ")" to close the "(" at column 1`},
		{`type == PUBLISH && (qos > 0 || retain`, 38, `expected ")" to close the "(" at column 20`},
		{`(type == CONNECT foo)`, 18, `expected "&&", "||" or ")" to close the "(" at column 1, found "foo"`},
		{`type == CONNECT)`, 16, `unbalanced ")": there is no "(" to close`},
		{`type == CONNECT foo`, 17, `expected "&&", "||" or the end of the filter, found "foo"`},
		{`type == CONNECT &&`, 19, `expected a field, "!" or "(" after "&&"`},
		{`qos == 1 or`, 12, `expected a field, "!" or "(" after "or"`},
		{`== 3`, 1, `expected a field, "!" or "(", found "=="`},
		{`3 == qos`, 1, `expected a field, "!" or "(", found "3"`},
		{`"x" == topic`, 1, `expected a field, "!" or "(", found "x"`},
		{`()`, 2, `expected a field, "!" or "(" after "(", found ")"`},
		{`!`, 2, `expected a field, "!" or "(" after "!"`},
		{`qos == "high"`, 8, `expected a number for "qos", found "high"`},
		{`qos == 99999999999999999999`, 8, `number "99999999999999999999" does not fit in 64 bits`},
		{`onenet.id > abc`, 13, `expected a number for "onenet.id", found "abc"`},
		{`version == 3.2`, 12, `expected a protocol level (3, 4, 5) or version ("3.1.1", "5.0") for "version", found "3.2"`},
		{`type == PUBLSH`, 9, `unknown packet type "PUBLSH" (did you mean "PUBLISH"?)`},
		{`type == FOO`, 9, `unknown packet type "FOO" (expected a name such as PUBLISH, or a number)`},
		{`topic < 3`, 7, `"<" compares numbers, and "topic" is a string (use ==, !=, contains or matches)`},
		{`src < 3`, 5, `"<" compares numbers, and "src" is an address (use ==, !=, contains or matches)`},
		{`retain > 0`, 8, `">" compares numbers, and "retain" is true or false (use == or !=, or the field alone)`},
		{`qos contains "1"`, 5, `"contains" applies to strings, and "qos" is a number (use ==, !=, <, <=, > or >=)`},
		{`retain matches "1"`, 8, `"matches" applies to strings, and "retain" is true or false (use == or !=, or the field alone)`},
		{`retain == yes`, 11, `expected true or false for "retain", found "yes"`},
		{`from == clinet`, 9, `unknown value "clinet" for "from" (expected "client" or "server")`},
		{`kind == "packet"`, 9, `unknown value "packet" for "kind" (expected "mqtt", "event" or "connection")`},
		{`type == gap`, 9, `"gap" is an event, not a packet type: events are selected with event.type == gap`},
		{`mqtt.msgtype == FIN`, 17, `"FIN" is an event, not a packet type: events are selected with event.type == fin`},
		{`time > abc`, 8, `expected seconds (5, 1.25) for "time", found "abc"`},
		{`time > 1.2345678`, 8, `expected seconds (5, 1.25) for "time", found "1.2345678"`},
		{`time > 0x10`, 8, `expected seconds (5, 1.25) for "time", found "0x10"`},
		{`time.epoch > "yesterday"`, 14, `expected Unix seconds (1764154035.5) or a UTC time ("2026-11-26T10:47:15Z") for "time.epoch", found "yesterday"`},
		{`tcp.strem == 1`, 1, `unknown field "tcp.strem" (did you mean "tcp.stream"?)`},
		{`onenet.signature == VALID`, 21, `unknown value "VALID" for "onenet.signature" (expected "unchecked", "valid" or "invalid")`},
		{`src == nowhere`, 8, `expected an address ("192.168.4.2" or "192.168.4.2:50000") for "src", found "nowhere"`},
		{`topic matches "(["`, 15, "invalid regular expression: missing closing ]: `[`"},
		{`payload matches "a{2000}"`, 17, "invalid regular expression: invalid repeat count: `{2000}`"},
		{strings.Repeat("(", 300) + "retain" + strings.Repeat(")", 300), 257, `the filter nests "(" more than 256 levels deep`},
		{strings.Repeat("!", 257) + "retain", 257, `the filter nests "!" more than 256 levels deep`},
		// Columns count runes, not bytes.
		{`topic == "ü" && qos == x`, 24, `expected a number for "qos", found "x"`},
	}
	for _, tt := range tests {
		f, err := Parse(tt.expr)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, %v; want a *SyntaxError", tt.expr, f, err)
			continue
		}
		if se.Col != tt.col || se.Msg != tt.msg || se.Expr != tt.expr {
			t.Errorf("Parse(%q):\n got column %d: %s\nwant column %d: %s", tt.expr, se.Col, se.Msg, tt.col, tt.msg)
		}
	}
}

func TestSyntaxErrorString(t *testing.T) {
	_, err := Parse("type == && qos > 0")
	if got, want := err.Error(), `column 9: expected a value after "==" in 'type == && qos > 0'`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	_, err = Parse(" ")
	if got, want := err.Error(), `column 1: empty filter`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestParseValues: the value forms and escapes reach the comparison intact.
func TestParseValues(t *testing.T) {
	tests := []struct {
		expr string
		lit  string
	}{
		{`topic == "a \"b\" \\ c"`, `a "b" \ c`},
		{`topic == "\d+"`, `\d+`},
		{`topic == $sys/p/d/thing/property/post`, `$sys/p/d/thing/property/post`},
		{`topic == type`, `type`},           // a field name on the right is a literal
		{`topic == "and"`, `and`},           // so is a quoted keyword
		{`topic==ü/温度`, `ü/温度`},             // no blanks needed around operators
		{"topic\t==\n\"x\"", `x`},           // any blank separates
		{`topic == 0x10`, `0x10`},           // a string field keeps the text
		{`client_id == true`, `true`},       // and true is only a bool for bools
		{`topic == ""`, ``},                 // the empty string
		{`topic == "(a || b)"`, `(a || b)`}, // operators inside strings are text
	}
	for _, tt := range tests {
		f, err := Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		n, ok := f.root.(*textNode)
		if !ok || n.lit.s != tt.lit {
			t.Errorf("Parse(%q) = %#v, want a comparison with %q", tt.expr, f.root, tt.lit)
		}
	}
	deep := strings.Repeat("(!", 128) + "retain" + strings.Repeat(")", 128)
	if _, err := Parse(deep); err != nil {
		t.Errorf("256 levels: %v", err)
	}
	for expr, want := range map[string]int64{
		`qos == 1`: 1, `qos == "1"`: 1, `reason_code == 0x80`: 0x80, `reason_code == 0X8f`: 0x8f, `qos == 010`: 10,
		`onenet.code == -1`: -1, `type == pubrel`: 6, `version == "5.0"`: 5, `version == mqttv311`: 4, `retain == TRUE`: 1,
		`dup == 0`: 0, `frame == 9223372036854775807`: 1<<63 - 1, `frame == -9223372036854775808`: -1 << 63,
	} {
		f, err := Parse(expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", expr, err)
			continue
		}
		if n, ok := f.root.(*numNode); !ok || n.v != want {
			t.Errorf("Parse(%q) = %#v, want a comparison with %d", expr, f.root, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`type == "CONNECT"`, `type == CONNECT && client_id == "my_tv"`, `topic contains "property" && qos == 0`,
		`!(type == PINGREQ || type == PINGRESP)`, `topic matches "^\\$sys/[^/]+/my_tv/"`, `reason_code >= 0x80`,
		`problem == "one_byte_length"`, `onenet.function == "thing/property/post"`, `stream == 0 and from == client`,
		`kind == "event" && event.type == "gap"`, `retain`, `!retain`, `type == && qos > 0`, `client_id == "my_tv`,
		`(qos 1)`, `topic == "ü" && qos == x`, `src == [2001:db8::1]:1883`, `onenet.id >= 123`, "\xff == \"\xfe",
	} {
		f.Add(s)
	}
	fx := fixtures(f)
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := Parse(expr)
		if err != nil {
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("Parse(%q) error %T %v, want *SyntaxError", expr, err, err)
			}
			if n := utf8.RuneCountInString(expr); se.Col < 1 || se.Col > n+1 {
				t.Fatalf("Parse(%q): column %d outside 1..%d", expr, se.Col, n+1)
			}
			if se.Msg == "" || se.Expr != expr {
				t.Fatalf("Parse(%q): %+v", expr, se)
			}
			return
		}
		if flt.String() != expr {
			t.Fatalf("String() = %q, want %q", flt.String(), expr)
		}
		matching(flt, fx)
	})
}
