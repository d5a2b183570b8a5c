package decode

// aliasMap is the topic aliases one side has defined for PUBLISH packets it
// sends (MQTT 5.0 §3.3.2.3.4). Aliases are per direction: the client's alias
// 1 and the server's alias 1 are unrelated (Wireshark shares one map for
// both, anchors.md §3.4).
type aliasMap struct {
	topics   map[uint16][]byte
	max      uint16 // Topic Alias Maximum granted by the receiver
	maxKnown bool
}

// resolve records or resolves p's topic alias and checks it against the
// receiver's Topic Alias Maximum.
func (m *aliasMap) resolve(p *Packet) {
	pr, ok := p.Properties.Get(PropTopicAlias)
	if !ok {
		if len(p.Topic) == 0 {
			p.Problems = append(p.Problems, Problem{Off: p.HeaderLen, Field: "topic", Code: "empty_topic",
				Message: "empty topic name without a topic alias"})
		}
		return
	}
	alias := uint16(pr.Uint)
	if alias == 0 {
		return // reported with the property
	}
	if m.maxKnown && alias > m.max {
		msg := "topic alias " + utoa(uint64(alias)) + " is above the receiver's Topic Alias Maximum " + utoa(uint64(m.max))
		if m.max == 0 {
			msg = "topic alias " + utoa(uint64(alias)) + " used, but the receiver allowed none (Topic Alias Maximum 0 or absent)"
		}
		p.Problems = append(p.Problems, Problem{Off: pr.Span.Off, Field: "topic_alias", Code: "topic_alias_maximum", Message: msg})
	}
	if len(p.Topic) > 0 {
		if m.topics == nil {
			m.topics = make(map[uint16][]byte)
		}
		// The topic aliases the packet buffer: keep a copy.
		m.topics[alias] = append(m.topics[alias][:0], p.Topic...)
		return
	}
	topic, known := m.topics[alias]
	if !known {
		p.Problems = append(p.Problems, Problem{Off: pr.Span.Off, Field: "topic_alias", Code: "unknown_topic_alias",
			Message: "topic alias " + utoa(uint64(alias)) + " was not defined in this direction before it was used"})
		return
	}
	p.AliasTopic = topic
}
