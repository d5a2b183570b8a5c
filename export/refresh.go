package export

import (
	"errors"
	"fmt"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
)

// ErrNoKey means no access key was given for a token's product or device.
var ErrNoKey = errors.New("no access key for this token")

// RefreshToken rewrites the password of an exported CONNECT whose password
// is a OneNET token with a fresh token for the same resource, method and
// version, expiring at exp, and re-encodes the packet (its remaining
// length, and so its CIPSEND length, follow). A captured CONNECT usually
// carries an expired token (onenet.md §6.1). It returns false, with no
// change, for a packet that is not such a CONNECT; a note on the packet
// says what changed.
func RefreshToken(p *Packet, keys onenet.KeyFunc, exp time.Time) (bool, error) {
	d := p.Packet
	if d.Type != decode.CONNECT || !d.PasswordFlag || !onenet.LooksLikeToken(d.Password) {
		return false, nil
	}
	old, err := onenet.ParseToken(string(d.Password))
	if err != nil {
		return false, nil
	}
	key, ok := "", false
	if keys != nil {
		if key, ok = keys(old.ProductID, old.DeviceName); !ok {
			key, ok = keys(old.ProductID, "")
		}
	}
	if !ok {
		return false, fmt.Errorf("frame %d: %w (product %q, device %q)", p.Frame, ErrNoKey, old.ProductID, old.DeviceName)
	}
	token, err := onenet.Generate(onenet.GenerateOptions{Res: old.Res, KeyBase64: key, Method: old.Method,
		Version: old.Version, ExpiresAt: exp})
	if err != nil {
		return false, fmt.Errorf("frame %d: %w", p.Frame, err)
	}
	q := d.Clone()
	q.Password = []byte(token)
	raw, err := decode.Encode(q)
	if err != nil {
		return false, fmt.Errorf("frame %d: %w", p.Frame, err)
	}
	var dec decode.Decoder
	dec.SkipFields = len(d.Fields) == 0
	p.Packet = dec.Decode(raw, d.Version).Clone()
	p.Notes = append(p.Notes, fmt.Sprintf("password: OneNET token refreshed: et %d (%s UTC) → %d (%s UTC); %d → %d bytes, remaining length %d → %d",
		old.ET, old.ExpiresAt().UTC().Format(time.DateTime), exp.Unix(), exp.UTC().Format(time.DateTime),
		len(d.Raw), len(raw), d.RemainingLength, p.Packet.RemainingLength))
	return true, nil
}
