package decode

// PropertyID identifies an MQTT 5.0 property (MQTT 5.0 §2.2.2.2).
type PropertyID uint8

// The 27 MQTT 5.0 properties.
const (
	PropPayloadFormatIndicator     PropertyID = 0x01
	PropMessageExpiryInterval      PropertyID = 0x02
	PropContentType                PropertyID = 0x03
	PropResponseTopic              PropertyID = 0x08
	PropCorrelationData            PropertyID = 0x09
	PropSubscriptionIdentifier     PropertyID = 0x0B
	PropSessionExpiryInterval      PropertyID = 0x11
	PropAssignedClientIdentifier   PropertyID = 0x12
	PropServerKeepAlive            PropertyID = 0x13
	PropAuthenticationMethod       PropertyID = 0x15
	PropAuthenticationData         PropertyID = 0x16
	PropRequestProblemInformation  PropertyID = 0x17
	PropWillDelayInterval          PropertyID = 0x18
	PropRequestResponseInformation PropertyID = 0x19
	PropResponseInformation        PropertyID = 0x1A
	PropServerReference            PropertyID = 0x1C
	PropReasonString               PropertyID = 0x1F
	PropReceiveMaximum             PropertyID = 0x21
	PropTopicAliasMaximum          PropertyID = 0x22
	PropTopicAlias                 PropertyID = 0x23
	PropMaximumQoS                 PropertyID = 0x24
	PropRetainAvailable            PropertyID = 0x25
	PropUserProperty               PropertyID = 0x26
	PropMaximumPacketSize          PropertyID = 0x27
	PropWildcardSubAvailable       PropertyID = 0x28
	PropSubIDAvailable             PropertyID = 0x29
	PropSharedSubAvailable         PropertyID = 0x2A
)

// PropertyType is the wire encoding of a property value (MQTT 5.0 §1.5).
type PropertyType uint8

// Property value encodings.
const (
	PropByte PropertyType = iota + 1
	PropTwoByte
	PropFourByte
	PropVarInt
	PropUTF8
	PropBinary
	PropUTF8Pair
)

// willProps is the pseudo packet type used for will properties in the
// "allowed in" masks: they live in CONNECT but follow their own table.
const willProps = 16

type propertyInfo struct {
	name    string // snake_case, as in the JSON output
	typ     PropertyType
	allowed uint32 // bit per packet type (1<<CONNECT ...), bit 16 for will properties
	multi   bool   // may appear more than once
}

func in(types ...int) uint32 {
	var m uint32
	for _, t := range types {
		m |= 1 << t
	}
	return m
}

// propertyTable is indexed by property id. The "allowed in" sets are those of
// MQTT 5.0 §2.2.2.2 (table 2-4).
var propertyTable = [0x2B]propertyInfo{
	PropPayloadFormatIndicator:     {"payload_format_indicator", PropByte, in(int(PUBLISH), willProps), false},
	PropMessageExpiryInterval:      {"message_expiry_interval", PropFourByte, in(int(PUBLISH), willProps), false},
	PropContentType:                {"content_type", PropUTF8, in(int(PUBLISH), willProps), false},
	PropResponseTopic:              {"response_topic", PropUTF8, in(int(PUBLISH), willProps), false},
	PropCorrelationData:            {"correlation_data", PropBinary, in(int(PUBLISH), willProps), false},
	PropSubscriptionIdentifier:     {"subscription_identifier", PropVarInt, in(int(PUBLISH), int(SUBSCRIBE)), true},
	PropSessionExpiryInterval:      {"session_expiry_interval", PropFourByte, in(int(CONNECT), int(CONNACK), int(DISCONNECT)), false},
	PropAssignedClientIdentifier:   {"assigned_client_identifier", PropUTF8, in(int(CONNACK)), false},
	PropServerKeepAlive:            {"server_keep_alive", PropTwoByte, in(int(CONNACK)), false},
	PropAuthenticationMethod:       {"authentication_method", PropUTF8, in(int(CONNECT), int(CONNACK), int(AUTH)), false},
	PropAuthenticationData:         {"authentication_data", PropBinary, in(int(CONNECT), int(CONNACK), int(AUTH)), false},
	PropRequestProblemInformation:  {"request_problem_information", PropByte, in(int(CONNECT)), false},
	PropWillDelayInterval:          {"will_delay_interval", PropFourByte, in(willProps), false},
	PropRequestResponseInformation: {"request_response_information", PropByte, in(int(CONNECT)), false},
	PropResponseInformation:        {"response_information", PropUTF8, in(int(CONNACK)), false},
	PropServerReference:            {"server_reference", PropUTF8, in(int(CONNACK), int(DISCONNECT)), false},
	PropReasonString:               {"reason_string", PropUTF8, in(int(CONNACK), int(PUBACK), int(PUBREC), int(PUBREL), int(PUBCOMP), int(SUBACK), int(UNSUBACK), int(DISCONNECT), int(AUTH)), false},
	PropReceiveMaximum:             {"receive_maximum", PropTwoByte, in(int(CONNECT), int(CONNACK)), false},
	PropTopicAliasMaximum:          {"topic_alias_maximum", PropTwoByte, in(int(CONNECT), int(CONNACK)), false},
	PropTopicAlias:                 {"topic_alias", PropTwoByte, in(int(PUBLISH)), false},
	PropMaximumQoS:                 {"maximum_qos", PropByte, in(int(CONNACK)), false},
	PropRetainAvailable:            {"retain_available", PropByte, in(int(CONNACK)), false},
	PropUserProperty:               {"user_property", PropUTF8Pair, 0xFFFF&^in(int(Reserved), int(PINGREQ), int(PINGRESP)) | in(willProps), true},
	PropMaximumPacketSize:          {"maximum_packet_size", PropFourByte, in(int(CONNECT), int(CONNACK)), false},
	PropWildcardSubAvailable:       {"wildcard_subscription_available", PropByte, in(int(CONNACK)), false},
	PropSubIDAvailable:             {"subscription_identifier_available", PropByte, in(int(CONNACK)), false},
	PropSharedSubAvailable:         {"shared_subscription_available", PropByte, in(int(CONNACK)), false},
}

func lookupProperty(id PropertyID) (propertyInfo, bool) {
	if int(id) >= len(propertyTable) || propertyTable[id].name == "" {
		return propertyInfo{}, false
	}
	return propertyTable[id], true
}

// Name returns the property's snake_case name ("content_type"), or "" for an
// unknown id.
func (id PropertyID) Name() string {
	info, _ := lookupProperty(id)
	return info.name
}

// Type returns the property's wire encoding, or 0 for an unknown id.
func (id PropertyID) Type() PropertyType {
	info, _ := lookupProperty(id)
	return info.typ
}

// PropertyIDs lists every defined property id in ascending order.
func PropertyIDs() []PropertyID {
	var ids []PropertyID
	for i, info := range propertyTable {
		if info.name != "" {
			ids = append(ids, PropertyID(i))
		}
	}
	return ids
}
