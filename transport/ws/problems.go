package ws

// Problem codes of the WebSocket layer: stable identifiers, like the MQTT
// problem codes of decode (docs/json.md lists them). Each is reported as a
// "ws_problem" event with its stream offset and the rule it breaks.
const (
	// The upgrade (RFC 6455 §4; MQTT 3.1.1 §6, MQTT 5.0 §6).
	CodeBadRequest     = "ws_bad_request"      // not a valid upgrade request
	CodeNotOffered     = "ws_mqtt_not_offered" // the client did not offer the mqtt subprotocol
	CodeNotSelected    = "ws_mqtt_not_selected"
	CodeBadAccept      = "ws_bad_accept"
	CodeRefused        = "ws_upgrade_refused"
	CodeHeaderTooLong  = "ws_header_too_long"
	CodeNoUpgradeReply = "ws_no_response"

	// Frames (RFC 6455 §5).
	CodeUnmasked       = "ws_unmasked_client_frame"
	CodeMaskedServer   = "ws_masked_server_frame"
	CodeReservedBits   = "ws_reserved_bits"
	CodeReservedOpcode = "ws_reserved_opcode"
	CodeTextFrame      = "ws_text_frame"
	CodeLengthMinimal  = "ws_length_not_minimal"
	CodeLengthMSB      = "ws_length_msb"
	CodeControlFrag    = "ws_fragmented_control"
	CodeControlLong    = "ws_control_too_long"
	CodeContinuation   = "ws_unexpected_continuation"
	CodeInterrupted    = "ws_message_interrupted"
	CodeAfterClose     = "ws_data_after_close"
	CodeClosePayload   = "ws_bad_close"
	CodeCompressed     = "ws_compressed"
	CodeLostSync       = "ws_lost_sync"
	CodeIncomplete     = "ws_incomplete_frame"
)

// Codes lists every problem code with the rule it names, for docs and
// tests.
var Codes = [...]struct{ Code, Rule string }{
	{CodeBadRequest, "RFC 6455 §4.1: an upgrade is a GET with Upgrade: websocket, Connection: Upgrade, a Sec-WebSocket-Key and Sec-WebSocket-Version: 13"},
	{CodeNotOffered, "MQTT 3.1.1 §6, 5.0 §6 [MQTT-6.0.0-3]: the client MUST offer the subprotocol \"mqtt\""},
	{CodeNotSelected, "MQTT 3.1.1 §6, 5.0 §6 [MQTT-6.0.0-4]: the server MUST select the subprotocol \"mqtt\""},
	{CodeBadAccept, "RFC 6455 §4.2.2: Sec-WebSocket-Accept is base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))"},
	{CodeRefused, "RFC 6455 §4.1: any status but 101 means the server did not switch to WebSocket"},
	{CodeHeaderTooLong, "an HTTP header block over 16 KB: not read further"},
	{CodeNoUpgradeReply, "the server's answer to the upgrade was not captured"},
	{CodeUnmasked, "RFC 6455 §5.1: a client MUST mask every frame it sends"},
	{CodeMaskedServer, "RFC 6455 §5.1: a server MUST NOT mask the frames it sends"},
	{CodeReservedBits, "RFC 6455 §5.2: RSV1-3 MUST be 0 unless an extension defines them"},
	{CodeReservedOpcode, "RFC 6455 §5.2: opcodes 3-7 and 0xB-0xF are reserved"},
	{CodeTextFrame, "MQTT 3.1.1 §6, 5.0 §6 [MQTT-6.0.0-1]: MQTT packets MUST be sent in binary frames"},
	{CodeLengthMinimal, "RFC 6455 §5.2: the minimal number of bytes MUST be used to encode the payload length"},
	{CodeLengthMSB, "RFC 6455 §5.2: the most significant bit of a 64-bit length MUST be 0"},
	{CodeControlFrag, "RFC 6455 §5.5: control frames MUST NOT be fragmented"},
	{CodeControlLong, "RFC 6455 §5.5: control frames carry at most 125 bytes"},
	{CodeContinuation, "RFC 6455 §5.4: a continuation frame needs a fragmented message to continue"},
	{CodeInterrupted, "RFC 6455 §5.4: the fragments of a message MUST NOT be interleaved with another data frame"},
	{CodeAfterClose, "RFC 6455 §5.5.1: an endpoint sends nothing after its Close frame"},
	{CodeClosePayload, "RFC 6455 §5.5.1, §7.4: a close frame carries nothing or a valid 2-byte code and a UTF-8 reason"},
	{CodeCompressed, "RFC 7692: compressed (permessage-deflate) messages are not decoded"},
	{CodeLostSync, "bytes of a frame header were lost: the frames after it cannot be found"},
	{CodeIncomplete, "the connection ended inside a frame that is not MQTT bytes (a header, or a control frame)"},
}
