package onenet

// Finding codes: stable snake_case ids for Finding.Code, one per check of
// onenet.md §2.8 (the section each comes from is beside it). Tools may key
// on them; the messages may change.
const (
	// Structure (§2.1).
	CodeMissingField   = "missing_field"   // one of version, res, et, method, sign is absent
	CodeDuplicateField = "duplicate_field" // a field appears twice; the first is used
	CodeUnknownField   = "unknown_field"   // a key that is not one of the five
	CodeMalformedField = "malformed_field" // a part without '=', or an empty part ("&&")
	CodeFieldOrder     = "field_order"     // not version, res, et, method, sign

	// Percent-encoding (§2.3).
	CodeNotPercentEncoded = "not_percent_encoded" // raw '/', '+', '=', ' ', '?', '#' or a control byte in res or sign
	CodeBadPercentEscape  = "bad_percent_escape"  // a '%' not followed by two hex digits

	// version (§2.1).
	CodeUnknownVersion   = "unknown_version"    // not a version OneNET uses
	CodeNotDeviceVersion = "not_device_version" // a OneNET version, but of an application API, not of device tokens

	// res (§2.6) and the CONNECT identity.
	CodeProductLevelRes  = "product_level_res"  // products/{pid}: sources disagree whether a device may log in with it
	CodeResNotDevice     = "res_not_device"     // neither device- nor product-level
	CodeUsernameMismatch = "username_mismatch"  // CONNECT username != product id in res
	CodeClientIDMismatch = "client_id_mismatch" // CONNECT client id != device name in res

	// et (§2.5).
	CodeETNotInteger   = "et_not_integer"
	CodeETMilliseconds = "et_milliseconds" // 13 digits
	CodeExpired        = "expired"         // et before the capture time

	// method (§2.1).
	CodeUnknownMethod   = "unknown_method"
	CodeMethodUpperCase = "method_upper_case"

	// sign (§2.4).
	CodeSignNotBase64 = "sign_not_base64"
	CodeSignLength    = "sign_length" // decoded length does not match the method
)
