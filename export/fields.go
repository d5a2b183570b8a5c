package export

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/mqttpcap/mqttpcap/decode"
)

// PacketFromFields builds a packet from its "fields" object in the JSON
// schema of `read --json` (docs/json.md): what a fixture or a JSON line
// carries. Encode of the result gives the packet's bytes for every packet
// that decoded cleanly; the fixture tests check exactly that, so the
// fixture format is known to hold everything an encoder needs.
//
// JSON objects keep no order, but properties have one on the wire: order
// gives it ("properties" and "will_properties" → property names in wire
// order, as fixtures write it in "wire_order"); without it properties are
// written in ascending identifier order.
func PacketFromFields(typ string, version decode.Version, fields json.RawMessage, order map[string][]string) (*decode.Packet, error) {
	t, ok := decode.ParseType(typ)
	if !ok {
		return nil, fmt.Errorf("unknown packet type %q", typ)
	}
	var f jsonFields
	if err := json.Unmarshal(fields, &f); err != nil {
		return nil, fmt.Errorf("fields: %w", err)
	}
	p := &decode.Packet{Type: t, Version: version}
	var err error
	switch t {
	case decode.CONNECT:
		p.ProtocolName, p.ProtocolLevel, p.ConnectFlags, p.KeepAlive = []byte(f.ProtocolName), f.ProtocolLevel, f.ConnectFlags, f.KeepAlive
		p.ClientID, p.WillTopic, p.Username = []byte(f.ClientID), []byte(f.WillTopic), []byte(f.Username)
		if p.WillPayload, err = hexOr(f.WillPayloadHex, f.WillPayload); err != nil {
			return nil, err
		}
		if p.Password, err = hexOr(f.PasswordHex, f.Password); err != nil {
			return nil, err
		}
		p.Properties, err = f.Properties.build(order["properties"])
		if err == nil {
			p.WillProperties, err = f.WillProperties.build(order["will_properties"])
		}
	case decode.CONNACK:
		p.AckFlags = f.AckFlags
		p.ReasonCode, p.HasReasonCode = f.code(), true
		p.Properties, err = f.Properties.build(order["properties"])
	case decode.PUBLISH:
		p.DUP, p.QoS, p.Retain = f.DUP, f.QoS, f.Retain
		p.SetPublishFlags()
		p.Topic, p.PacketID = []byte(f.Topic), f.PacketID
		if p.Payload, err = hexOr(f.PayloadHex, f.Payload); err != nil {
			return nil, err
		}
		p.Properties, err = f.Properties.build(order["properties"])
	case decode.PUBACK, decode.PUBREC, decode.PUBREL, decode.PUBCOMP, decode.DISCONNECT, decode.AUTH:
		p.PacketID = f.PacketID
		if f.ReasonCode != nil {
			p.ReasonCode, p.HasReasonCode = *f.ReasonCode, true
		}
		p.Properties, err = f.Properties.build(order["properties"])
	case decode.SUBSCRIBE:
		p.PacketID = f.PacketID
		for _, s := range f.Subscriptions {
			p.Subscriptions = append(p.Subscriptions, decode.Subscription{Topic: []byte(s.Topic), Options: s.Options})
		}
		p.Properties, err = f.Properties.build(order["properties"])
	case decode.SUBACK, decode.UNSUBACK:
		p.PacketID, p.ReasonCodes = f.PacketID, f.ReasonCodes
		p.Properties, err = f.Properties.build(order["properties"])
	case decode.UNSUBSCRIBE:
		p.PacketID = f.PacketID
		for _, topic := range f.Topics {
			p.TopicFilters = append(p.TopicFilters, []byte(topic))
		}
		p.Properties, err = f.Properties.build(order["properties"])
	}
	if t == decode.PUBREL || t == decode.SUBSCRIBE || t == decode.UNSUBSCRIBE {
		p.Flags = 0x02
	}
	return p, err
}

type jsonFields struct {
	ProtocolName   string    `json:"protocol_name"`
	ProtocolLevel  uint8     `json:"protocol_level"`
	ConnectFlags   uint8     `json:"connect_flags"`
	KeepAlive      uint16    `json:"keep_alive"`
	ClientID       string    `json:"client_id"`
	WillTopic      string    `json:"will_topic"`
	WillPayload    *string   `json:"will_payload"`
	WillPayloadHex *string   `json:"will_payload_hex"`
	Username       string    `json:"username"`
	Password       *string   `json:"password"`
	PasswordHex    *string   `json:"password_hex"`
	AckFlags       uint8     `json:"acknowledge_flags"`
	ReturnCode     *uint8    `json:"return_code"`
	ReasonCode     *uint8    `json:"reason_code"`
	DUP            bool      `json:"dup"`
	QoS            uint8     `json:"qos"`
	Retain         bool      `json:"retain"`
	Topic          string    `json:"topic"`
	PacketID       uint16    `json:"packet_id"`
	Payload        *string   `json:"payload"`
	PayloadHex     *string   `json:"payload_hex"`
	Subscriptions  []jsonSub `json:"subscriptions"`
	ReasonCodes    []uint8   `json:"reason_codes"`
	Topics         []string  `json:"topics"`
	Properties     jsonProps `json:"properties"`
	WillProperties jsonProps `json:"will_properties"`
}

type jsonSub struct {
	Topic   string `json:"topic"`
	Options uint8  `json:"options"`
}

func (f *jsonFields) code() uint8 {
	switch {
	case f.ReturnCode != nil:
		return *f.ReturnCode
	case f.ReasonCode != nil:
		return *f.ReasonCode
	}
	return 0
}

// hexOr prefers the hex form of binary data (always present) to the text.
func hexOr(h, text *string) ([]byte, error) {
	if h != nil {
		return hex.DecodeString(*h)
	}
	if text != nil {
		return []byte(*text), nil
	}
	return nil, nil
}

// jsonProps is a "properties" object: property names as in docs/json.md,
// in the order they came (JSON objects keep no order, so a fixture's
// properties are written in ascending id order on encode).
type jsonProps struct {
	present bool
	raw     map[string]json.RawMessage
}

func (j *jsonProps) UnmarshalJSON(b []byte) error {
	j.present = true
	return json.Unmarshal(b, &j.raw)
}

func (j jsonProps) build(order []string) (decode.Properties, error) {
	ps := decode.Properties{Present: j.present}
	byName := map[string]decode.PropertyID{}
	for _, id := range decode.PropertyIDs() {
		byName[id.Name()] = id
	}
	all, err := j.byID()
	if err != nil {
		return ps, err
	}
	if order == nil {
		for _, id := range decode.PropertyIDs() {
			ps.List = append(ps.List, all[id]...)
		}
		return ps, nil
	}
	for _, name := range order {
		id, ok := byName[name]
		if !ok || len(all[id]) == 0 {
			return ps, fmt.Errorf("wire_order: no %s left in the properties", name)
		}
		ps.List = append(ps.List, all[id][0])
		all[id] = all[id][1:]
	}
	return ps, nil
}

// byID decodes every property of the object, grouped by identifier (user
// properties and subscription identifiers in their list order).
func (j jsonProps) byID() (map[decode.PropertyID][]decode.Property, error) {
	out := map[decode.PropertyID][]decode.Property{}
	for _, id := range decode.PropertyIDs() {
		name := id.Name()
		switch id {
		case decode.PropUserProperty:
			var pairs [][2]string
			if raw, ok := j.raw["user_properties"]; ok {
				if err := json.Unmarshal(raw, &pairs); err != nil {
					return nil, fmt.Errorf("user_properties: %w", err)
				}
			}
			for _, kv := range pairs {
				out[id] = append(out[id], decode.Property{ID: id, Data: []byte(kv[0]), Data2: []byte(kv[1])})
			}
			continue
		case decode.PropSubscriptionIdentifier:
			var ids []uint32
			if raw, ok := j.raw["subscription_identifiers"]; ok {
				if err := json.Unmarshal(raw, &ids); err != nil {
					return nil, fmt.Errorf("subscription_identifiers: %w", err)
				}
			}
			for _, v := range ids {
				out[id] = append(out[id], decode.Property{ID: id, Uint: v})
			}
			continue
		}
		raw, ok := j.raw[name]
		if !ok {
			continue
		}
		pr := decode.Property{ID: id}
		var err error
		switch id.Type() {
		case decode.PropUTF8:
			var s string
			err = json.Unmarshal(raw, &s)
			pr.Data = []byte(s)
		case decode.PropBinary:
			var s string
			if err = json.Unmarshal(raw, &s); err == nil {
				pr.Data, err = hex.DecodeString(s)
			}
		default:
			err = json.Unmarshal(raw, &pr.Uint)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[id] = append(out[id], pr)
	}
	return out, nil
}

// WireOrder gives the property names of a packet's blocks in wire order,
// for fixtures ("wire_order").
func WireOrder(p *decode.Packet) map[string][]string {
	out := map[string][]string{}
	for name, ps := range map[string]*decode.Properties{"properties": &p.Properties, "will_properties": &p.WillProperties} {
		if !ps.Present {
			continue
		}
		names := []string{}
		for _, pr := range ps.List {
			names = append(names, pr.Name())
		}
		out[name] = names
	}
	return out
}
