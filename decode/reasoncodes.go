package decode

// connectReturnCodes are the CONNACK return codes of MQTT 3.1 and 3.1.1
// (3.1.1 §3.2.2.3).
var connectReturnCodes = [6]string{
	"Connection Accepted",
	"Connection Refused: unacceptable protocol version",
	"Connection Refused: identifier rejected",
	"Connection Refused: server unavailable",
	"Connection Refused: bad user name or password",
	"Connection Refused: not authorized",
}

var grantedQoS = [3]string{"Granted QoS 0", "Granted QoS 1", "Granted QoS 2"}

// reasonCode is one MQTT 5.0 reason code (5.0 §2.4, table 2-6) with the
// packet types that may carry it. DISCONNECT's 0x00 and SUBACK's 0x00-0x02
// have their own names, kept in the overrides below.
type reasonCode struct {
	code  uint8
	name  string
	types uint32
}

var reasonCodes = []reasonCode{
	{0x00, "Success", in(int(CONNACK), int(PUBACK), int(PUBREC), int(PUBREL), int(PUBCOMP), int(UNSUBACK), int(AUTH))},
	{0x04, "Disconnect with Will Message", in(int(DISCONNECT))},
	{0x10, "No matching subscribers", in(int(PUBACK), int(PUBREC))},
	{0x11, "No subscription existed", in(int(UNSUBACK))},
	{0x18, "Continue authentication", in(int(AUTH))},
	{0x19, "Re-authenticate", in(int(AUTH))},
	{0x80, "Unspecified error", in(int(CONNACK), int(PUBACK), int(PUBREC), int(SUBACK), int(UNSUBACK), int(DISCONNECT))},
	{0x81, "Malformed Packet", in(int(CONNACK), int(DISCONNECT))},
	{0x82, "Protocol Error", in(int(CONNACK), int(DISCONNECT))},
	{0x83, "Implementation specific error", in(int(CONNACK), int(PUBACK), int(PUBREC), int(SUBACK), int(UNSUBACK), int(DISCONNECT))},
	{0x84, "Unsupported Protocol Version", in(int(CONNACK))},
	{0x85, "Client Identifier not valid", in(int(CONNACK))},
	{0x86, "Bad User Name or Password", in(int(CONNACK))},
	{0x87, "Not authorized", in(int(CONNACK), int(PUBACK), int(PUBREC), int(SUBACK), int(UNSUBACK), int(DISCONNECT))},
	{0x88, "Server unavailable", in(int(CONNACK))},
	{0x89, "Server busy", in(int(CONNACK), int(DISCONNECT))},
	{0x8A, "Banned", in(int(CONNACK))},
	{0x8B, "Server shutting down", in(int(DISCONNECT))},
	{0x8C, "Bad authentication method", in(int(CONNACK), int(DISCONNECT))},
	{0x8D, "Keep Alive timeout", in(int(DISCONNECT))},
	{0x8E, "Session taken over", in(int(DISCONNECT))},
	{0x8F, "Topic Filter invalid", in(int(SUBACK), int(UNSUBACK), int(DISCONNECT))},
	{0x90, "Topic Name invalid", in(int(CONNACK), int(PUBACK), int(PUBREC), int(DISCONNECT))},
	{0x91, "Packet Identifier in use", in(int(PUBACK), int(PUBREC), int(SUBACK), int(UNSUBACK))},
	{0x92, "Packet Identifier not found", in(int(PUBREL), int(PUBCOMP))},
	{0x93, "Receive Maximum exceeded", in(int(DISCONNECT))},
	{0x94, "Topic Alias invalid", in(int(DISCONNECT))},
	{0x95, "Packet too large", in(int(CONNACK), int(DISCONNECT))},
	{0x96, "Message rate too high", in(int(DISCONNECT))},
	{0x97, "Quota exceeded", in(int(CONNACK), int(PUBACK), int(PUBREC), int(SUBACK), int(DISCONNECT))},
	{0x98, "Administrative action", in(int(DISCONNECT))},
	{0x99, "Payload format invalid", in(int(CONNACK), int(PUBACK), int(PUBREC), int(DISCONNECT))},
	{0x9A, "Retain not supported", in(int(CONNACK), int(DISCONNECT))},
	{0x9B, "QoS not supported", in(int(CONNACK), int(DISCONNECT))},
	{0x9C, "Use another server", in(int(CONNACK), int(DISCONNECT))},
	{0x9D, "Server moved", in(int(CONNACK), int(DISCONNECT))},
	{0x9E, "Shared Subscriptions not supported", in(int(SUBACK), int(DISCONNECT))},
	{0x9F, "Connection rate exceeded", in(int(CONNACK), int(DISCONNECT))},
	{0xA0, "Maximum connect time", in(int(DISCONNECT))},
	{0xA1, "Subscription Identifiers not supported", in(int(SUBACK), int(DISCONNECT))},
	{0xA2, "Wildcard Subscriptions not supported", in(int(SUBACK), int(DISCONNECT))},
}

// ReasonName returns the name of a CONNACK return code (3.x), a SUBACK
// return code, or a 5.0 reason code in packet type t, or "" when the code is
// not defined for that packet type and version.
func ReasonName(t Type, v Version, code uint8) string {
	if v != V5 {
		switch t {
		case CONNACK:
			if int(code) < len(connectReturnCodes) {
				return connectReturnCodes[code]
			}
		case SUBACK:
			switch {
			case code <= 2:
				return grantedQoS[code]
			case code == 0x80 && v != V31:
				return "Failure"
			}
		}
		return ""
	}
	switch {
	case t == DISCONNECT && code == 0x00:
		return "Normal disconnection"
	case t == SUBACK && code <= 2:
		return grantedQoS[code]
	}
	for _, rc := range reasonCodes {
		if rc.code == code {
			if rc.types&(1<<t) != 0 {
				return rc.name
			}
			return ""
		}
	}
	return ""
}

// ReasonCodesFor lists the codes defined for packet type t in version v, in
// ascending order (used by tests and by `--help`-style listings).
func ReasonCodesFor(t Type, v Version) []uint8 {
	var codes []uint8
	for c := 0; c < 256; c++ {
		if ReasonName(t, v, uint8(c)) != "" {
			codes = append(codes, uint8(c))
		}
	}
	return codes
}

// IsFailure reports whether a reason or return code means failure: 3.x
// CONNACK codes 1-5 and SUBACK 0x80; 5.0 codes 0x80 and above.
func IsFailure(t Type, v Version, code uint8) bool {
	if v != V5 && t == CONNACK {
		return code != 0
	}
	return code >= 0x80
}
