// Package esp8266 is mqttpcap's side of an ESP8266 running Espressif's AT
// firmware in non-transparent mode (onenet.md §5.1): MQTT packets go out
// with AT+CIPSEND=<len>, ">", the raw bytes, "SEND OK", and the server's
// bytes come back as "+IPD,<len>:<bytes>".
//
// It has two halves:
//
//   - ParseLog reads that dialogue as a serial terminal records it (echoed
//     commands, prompts, raw or hex-typed bytes, +IPD frames, CLOSED) and
//     gives each connection's bytes per direction, for `mqttpcap decode`.
//     AT scripts exported by mqttpcap are such dialogues without answers.
//   - Session drives the firmware over a Port (a serial port, or a
//     pseudo-terminal in tests): AT, AT+CIPMUX=0, AT+CIPMODE=0,
//     AT+CIPSTART, one AT+CIPSEND per packet (split at the firmware's
//     2048-byte limit), the +IPD frames of the answers, AT+CIPCLOSE. It
//     copes with what the firmware really answers (echo on or off, "busy
//     p...", ERROR, "ALREADY CONNECTED", "link is not valid", CLOSED) and
//     turns each failure into one error that says what to do.
//
// The package prints nothing and keeps no global state; what a Session
// sends and receives can be kept as a transcript that ParseLog reads back.
package esp8266

// MaxSend is the most bytes one AT+CIPSEND takes on the ESP8266 branch of
// the AT firmware ("Maximum: 2048 bytes", onenet.md §5.1).
const MaxSend = 2048
