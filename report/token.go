package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/mqttpcap/mqttpcap/onenet"
)

// TokenOptions are what ExplainToken checks a token against.
type TokenOptions struct {
	// Check is the CONNECT the token came with and the time to judge its
	// expiry at.
	Check onenet.CheckContext
	// Key, when set, gives the access key to verify the signature with.
	Key onenet.KeyFunc
}

// ExplainToken appends what `mqttpcap token decode` prints for a OneNET
// token: every field with its decoded value, the resource, the expiry in
// UTC and Beijing time, the signature when a key is given, then the
// findings of every check. It returns how many errors OneNET refuses the
// token for (an invalid signature counts as one).
func ExplainToken(b []byte, tok *onenet.Token, o TokenOptions) ([]byte, int) {
	var w strings.Builder
	for _, f := range tok.Fields {
		val := f.Value
		if f.Value != f.RawValue {
			val += "   (written " + f.RawValue + ")"
		}
		fmt.Fprintf(&w, "%-8s %s\n", f.Key, val)
	}
	if tok.ResKind != onenet.ResOther {
		fmt.Fprintf(&w, "\nresource  %s level: product %q", tok.ResKind, tok.ProductID)
		if tok.DeviceName != "" {
			fmt.Fprintf(&w, ", device %q", tok.DeviceName)
		}
		fmt.Fprintln(&w)
	}
	if tok.ETValid {
		exp := tok.ExpiresAt()
		fmt.Fprintf(&w, "expires   %s UTC = %s Beijing\n", exp.UTC().Format(time.DateTime), onenet.BeijingTime(exp).Format(time.DateTime))
	}
	if len(tok.SignBytes) > 0 {
		fmt.Fprintf(&w, "sign      %d bytes\n", len(tok.SignBytes))
	}
	invalid := false
	if o.Key != nil {
		if key, ok := o.Key(tok.ProductID, tok.DeviceName); ok {
			valid, err := tok.Verify(key)
			switch {
			case err != nil:
				fmt.Fprintf(&w, "signature cannot be checked: %s\n", strings.TrimPrefix(err.Error(), "onenet: verify: "))
			case valid:
				fmt.Fprintln(&w, "signature valid")
			default:
				invalid = true
				fmt.Fprintln(&w, "signature INVALID with this key")
			}
		}
	}
	findings := tok.Check(o.Check)
	errs := 0
	if invalid {
		errs++
	}
	if len(findings) == 0 && !invalid {
		fmt.Fprintln(&w, "\nno problem found")
	} else if len(findings) > 0 {
		fmt.Fprintln(&w)
	}
	for _, f := range findings {
		fmt.Fprintf(&w, "%-7s %s: %s\n", f.Severity, f.Field, f.Message)
		if f.Severity == onenet.Error {
			errs++
		}
	}
	return append(b, w.String()...), errs
}
