package onenet

import "errors"

// Sentinel errors; the functions wrap them with context ("onenet: verify:
// …"), so test with errors.Is. None of them, wrapped or not, contains an
// access key.
var (
	// ErrNotToken: ParseToken found none of the five token fields.
	ErrNotToken = errors.New("not a OneNET token: no version=, res=, et=, method= or sign= part")
	// ErrBadKey: the access key is empty or not standard base64.
	ErrBadKey = errors.New("bad access key")
	// ErrUnknownMethod: the method is not md5, sha1 or sha256 (in any case).
	ErrUnknownMethod = errors.New("unknown signature method")
	// ErrMissingField: Verify needs all five token fields.
	ErrMissingField = errors.New("token field missing")
)
