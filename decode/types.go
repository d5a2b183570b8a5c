package decode

// Type is the MQTT control packet type, the high nibble of the first byte.
type Type uint8

// Control packet types (MQTT 5.0 §2.1.2; AUTH exists only in 5.0, type 0 is
// reserved in every version).
const (
	Reserved Type = iota
	CONNECT
	CONNACK
	PUBLISH
	PUBACK
	PUBREC
	PUBREL
	PUBCOMP
	SUBSCRIBE
	SUBACK
	UNSUBSCRIBE
	UNSUBACK
	PINGREQ
	PINGRESP
	DISCONNECT
	AUTH
)

var typeNames = [16]string{
	"RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
	"SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH",
}

// String returns the packet type name as the spec writes it ("CONNECT").
func (t Type) String() string { return typeNames[t&0x0f] }

// ParseType returns the packet type for a name such as "CONNECT" or "publish".
func ParseType(name string) (Type, bool) {
	for i, n := range typeNames {
		if equalFoldASCII(n, name) {
			return Type(i), true
		}
	}
	return 0, false
}

// requiredFlags are the fixed-header flag bits each type must carry
// (MQTT 3.1.1 §2.2.2, 5.0 §2.1.3). PUBLISH flags are variable (-1).
var requiredFlags = [16]int8{
	-2, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0,
}

// Version is the MQTT protocol level of a connection.
type Version uint8

// Protocol levels as carried in CONNECT (MQTT 5.0 §3.1.2.2).
const (
	VersionUnknown Version = 0
	V31            Version = 3 // MQTT 3.1, protocol name "MQIsdp"
	V311           Version = 4 // MQTT 3.1.1
	V5             Version = 5 // MQTT 5.0
)

// String returns the version as users write it ("3.1.1").
func (v Version) String() string {
	switch v {
	case V31:
		return "3.1"
	case V311:
		return "3.1.1"
	case V5:
		return "5.0"
	}
	return "unknown"
}

// ParseVersion accepts the forms users type: 3, 3.1, 4, 3.1.1, 5, 5.0, mqttv5.
func ParseVersion(s string) (Version, bool) {
	switch s {
	case "3", "3.1", "31", "mqttv31", "MQIsdp":
		return V31, true
	case "4", "3.1.1", "311", "mqttv311":
		return V311, true
	case "5", "5.0", "50", "mqttv5":
		return V5, true
	}
	return VersionUnknown, false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
