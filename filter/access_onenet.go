package filter

import (
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// Accessors of the OneNET fields: what onenet.Conn made of the packet
// (Record.OneNET), and a connection's verdict.

func onenetInfo(r *pipeline.Record) *onenet.PacketInfo {
	if r.Kind != pipeline.KindPacket {
		return nil
	}
	return r.OneNET
}

func onenetTopic(r *pipeline.Record) *onenet.Topic {
	if on := onenetInfo(r); on != nil {
		return on.Topic
	}
	return nil
}

func onenetToken(r *pipeline.Record) *onenet.TokenInfo {
	if on := onenetInfo(r); on != nil {
		return on.Token
	}
	return nil
}

func onenetMessage(r *pipeline.Record) *onenet.Message {
	if on := onenetInfo(r); on != nil {
		return on.Message
	}
	return nil
}

func onenetPlatform(r *pipeline.Record) (text, bool) {
	if t := onenetTopic(r); t != nil && t.Platform != "" {
		return str(string(t.Platform)), true
	}
	return text{}, false
}

func onenetFunction(r *pipeline.Record) (text, bool) {
	if t := onenetTopic(r); t != nil && t.Function != "" {
		return str(t.Function), true
	}
	return text{}, false
}

func onenetName(r *pipeline.Record) (text, bool) {
	if t := onenetTopic(r); t != nil && t.Name != "" {
		return str(t.Name), true
	}
	return text{}, false
}

// onenetDirection uses the names of onenet.Direction's MarshalText, which
// the JSON output shows, not its arrows.
func onenetDirection(r *pipeline.Record) (text, bool) {
	if t := onenetTopic(r); t != nil {
		switch t.Direction {
		case onenet.DeviceToCloud:
			return str("device_to_cloud"), true
		case onenet.CloudToDevice:
			return str("cloud_to_device"), true
		}
	}
	return text{}, false
}

// onenetProductID is the topic's, or for a CONNECT its token's: either way
// the product the packet is about.
func onenetProductID(r *pipeline.Record) (text, bool) {
	if t := onenetTopic(r); t != nil && t.ProductID != "" {
		return str(t.ProductID), true
	}
	if tok := onenetToken(r); tok != nil && tok.Token != nil && tok.Token.ProductID != "" {
		return str(tok.Token.ProductID), true
	}
	return text{}, false
}

func onenetDeviceName(r *pipeline.Record) (text, bool) {
	if t := onenetTopic(r); t != nil && t.DeviceName != "" {
		return str(t.DeviceName), true
	}
	if tok := onenetToken(r); tok != nil && tok.Token != nil && tok.Token.DeviceName != "" {
		return str(tok.Token.DeviceName), true
	}
	return text{}, false
}

func onenetID(r *pipeline.Record) (text, bool) {
	if m := onenetMessage(r); m != nil && m.HasID {
		return bin(m.ID), true
	}
	return text{}, false
}

func onenetCode(r *pipeline.Record) (int64, bool) {
	if m := onenetMessage(r); m != nil && m.HasCode {
		return int64(m.Code), true
	}
	return 0, false
}

// onenetExpired is known only for a token whose et is a number.
func onenetExpired(r *pipeline.Record) (int64, bool) {
	if tok := onenetToken(r); tok != nil && tok.Token != nil && tok.Token.ETValid {
		return b2i(tok.Expired), true
	}
	return 0, false
}

func onenetSignature(r *pipeline.Record) (text, bool) {
	if tok := onenetToken(r); tok != nil && tok.Signature != "" {
		return str(tok.Signature), true
	}
	return text{}, false
}

// onenetFinding walks the token's findings, then the topic's, then the
// payload's, as one list.
func onenetFinding(r *pipeline.Record, i int) (text, bool) {
	on := onenetInfo(r)
	if on == nil {
		return text{}, false
	}
	if on.Token != nil {
		if i < len(on.Token.Findings) {
			return str(on.Token.Findings[i].Code), true
		}
		i -= len(on.Token.Findings)
	}
	if i < len(on.Findings) {
		return str(on.Findings[i].Code), true
	}
	i -= len(on.Findings)
	if on.Message != nil && i < len(on.Message.Findings) {
		return str(on.Message.Findings[i].Code), true
	}
	return text{}, false
}

func onenetStatus(r *pipeline.Record) (text, bool) {
	if r.Kind != pipeline.KindConnDone || r.Verdict.Status == "" {
		return text{}, false
	}
	return str(r.Verdict.Status), true
}
