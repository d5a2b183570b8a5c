package onenet

import "strings"

// Direction is the way a OneNET topic flows.
type Direction uint8

// Topic directions (onenet.md §3: D→C the device publishes, C→D the
// platform publishes and the device subscribes).
const (
	DirUnknown Direction = iota
	DeviceToCloud
	CloudToDevice
)

func (d Direction) String() string {
	switch d {
	case DeviceToCloud:
		return "D→C"
	case CloudToDevice:
		return "C→D"
	}
	return "?"
}

// MarshalText gives "device_to_cloud" or "cloud_to_device" for JSON.
func (d Direction) MarshalText() ([]byte, error) {
	switch d {
	case DeviceToCloud:
		return []byte("device_to_cloud"), nil
	case CloudToDevice:
		return []byte("cloud_to_device"), nil
	}
	return []byte("unknown"), nil
}

// Platform says which OneNET MQTT product a topic belongs to (onenet.md §1).
type Platform string

// The three OneNET MQTT products; never mix their documents.
const (
	Studio  Platform = "studio"  // OneNET Studio, thing model, OneJSON
	Suite   Platform = "suite"   // MQTT物联网套件 (MQTT IoT suite)
	Legacy  Platform = "legacy"  // 多协议接入 (multi-protocol) MQTT, 2016 era
	Unknown Platform = "unknown" // a $sys topic of no known function
)

// Topic is a recognised OneNET topic.
type Topic struct {
	Platform   Platform
	ProductID  string
	DeviceName string
	// Function is the topic's function path after the device name
	// ("thing/property/post", "thing/service/{id}/invoke", "dp/post/json"),
	// or the legacy topic name ("$dp").
	Function string
	// Name says what it is for, in words ("property report").
	Name      string
	Direction Direction
	// Reply is set for the answer to a request; Request is the request's
	// function for a reply, and ReplyFunction the reply's for a request.
	Reply         bool
	Request       string
	ReplyFunction string
	// Identifier is the variable level: a service identifier, a command id,
	// the {id} of custome/down.
	Identifier string
}

// topicPattern is one entry of the topic tables. Levels are matched one by
// one; "{id}" matches any single level and becomes Topic.Identifier.
type topicPattern struct {
	function string
	name     string
	dir      Direction
	reply    string // the reply's function, for a request
	request  string // the request's function, for a reply
}

// studioTopics is onenet.md §3.1 (P = $sys/{pid}/{device}/thing). Requests
// from the device get "/reply" as an extra level; requests from the
// platform get "_reply" appended to the last level.
var studioTopics = []topicPattern{
	{function: "thing/property/post", name: "property report", dir: DeviceToCloud, reply: "thing/property/post/reply"},
	{function: "thing/property/post/reply", name: "property report reply", dir: CloudToDevice, request: "thing/property/post"},
	{function: "thing/property/set", name: "property set", dir: CloudToDevice, reply: "thing/property/set_reply"},
	{function: "thing/property/set_reply", name: "property set reply", dir: DeviceToCloud, request: "thing/property/set"},
	{function: "thing/property/get", name: "property get", dir: CloudToDevice, reply: "thing/property/get_reply"},
	{function: "thing/property/get_reply", name: "property get reply", dir: DeviceToCloud, request: "thing/property/get"},
	{function: "thing/property/desired/get", name: "desired values get", dir: DeviceToCloud, reply: "thing/property/desired/get/reply"},
	{function: "thing/property/desired/get/reply", name: "desired values get reply", dir: CloudToDevice, request: "thing/property/desired/get"},
	{function: "thing/property/desired/delete", name: "desired values delete", dir: DeviceToCloud, reply: "thing/property/desired/delete/reply"},
	{function: "thing/property/desired/delete/reply", name: "desired values delete reply", dir: CloudToDevice, request: "thing/property/desired/delete"},
	{function: "thing/event/post", name: "event report", dir: DeviceToCloud, reply: "thing/event/post/reply"},
	{function: "thing/event/post/reply", name: "event report reply", dir: CloudToDevice, request: "thing/event/post"},
	{function: "thing/service/{id}/invoke", name: "service invoke", dir: CloudToDevice, reply: "thing/service/{id}/invoke_reply"},
	{function: "thing/service/{id}/invoke_reply", name: "service invoke reply", dir: DeviceToCloud, request: "thing/service/{id}/invoke"},
	{function: "thing/pack/post", name: "batch report", dir: DeviceToCloud, reply: "thing/pack/post/reply"},
	{function: "thing/pack/post/reply", name: "batch report reply", dir: CloudToDevice, request: "thing/pack/post"},
	{function: "thing/history/post", name: "history report", dir: DeviceToCloud, reply: "thing/history/post/reply"},
	{function: "thing/history/post/reply", name: "history report reply", dir: CloudToDevice, request: "thing/history/post"},
	{function: "thing/sub/login", name: "sub-device login", dir: DeviceToCloud, reply: "thing/sub/login/reply"},
	{function: "thing/sub/login/reply", name: "sub-device login reply", dir: CloudToDevice, request: "thing/sub/login"},
	{function: "thing/sub/logout", name: "sub-device logout", dir: DeviceToCloud, reply: "thing/sub/logout/reply"},
	{function: "thing/sub/logout/reply", name: "sub-device logout reply", dir: CloudToDevice, request: "thing/sub/logout"},
	{function: "thing/sub/property/get", name: "sub-device property get", dir: CloudToDevice, reply: "thing/sub/property/get_reply"},
	{function: "thing/sub/property/get_reply", name: "sub-device property get reply", dir: DeviceToCloud, request: "thing/sub/property/get"},
	{function: "thing/sub/property/set", name: "sub-device property set", dir: CloudToDevice, reply: "thing/sub/property/set_reply"},
	{function: "thing/sub/property/set_reply", name: "sub-device property set reply", dir: DeviceToCloud, request: "thing/sub/property/set"},
	{function: "thing/sub/service/invoke", name: "sub-device service invoke", dir: CloudToDevice, reply: "thing/sub/service/invoke_reply"},
	{function: "thing/sub/service/invoke_reply", name: "sub-device service invoke reply", dir: DeviceToCloud, request: "thing/sub/service/invoke"},
	{function: "thing/sub/topo/add", name: "topology add", dir: DeviceToCloud, reply: "thing/sub/topo/add/reply"},
	{function: "thing/sub/topo/add/reply", name: "topology add reply", dir: CloudToDevice, request: "thing/sub/topo/add"},
	{function: "thing/sub/topo/delete", name: "topology delete", dir: DeviceToCloud, reply: "thing/sub/topo/delete/reply"},
	{function: "thing/sub/topo/delete/reply", name: "topology delete reply", dir: CloudToDevice, request: "thing/sub/topo/delete"},
	{function: "thing/sub/topo/get", name: "topology get", dir: DeviceToCloud, reply: "thing/sub/topo/get/reply"},
	{function: "thing/sub/topo/get/reply", name: "topology get reply", dir: CloudToDevice, request: "thing/sub/topo/get"},
	{function: "thing/sub/topo/get/result", name: "topology get result", dir: DeviceToCloud},
	{function: "thing/sub/topo/change", name: "topology change notify", dir: CloudToDevice, reply: "thing/sub/topo/change_reply"},
	{function: "thing/sub/topo/change_reply", name: "topology change notify reply", dir: DeviceToCloud, request: "thing/sub/topo/change"},
	{function: "ota/inform", name: "OTA task notification", dir: CloudToDevice, reply: "ota/inform_reply"},
	{function: "ota/inform_reply", name: "OTA task notification reply", dir: DeviceToCloud, request: "ota/inform"},
	{function: "custome/up", name: "custom data up", dir: DeviceToCloud, reply: "custome/up_reply"},
	{function: "custome/up_reply", name: "custom data up reply", dir: CloudToDevice, request: "custome/up"},
	{function: "custome/down/{id}", name: "custom data down", dir: CloudToDevice, reply: "custome/down_reply/{id}"},
	{function: "custome/down_reply/{id}", name: "custom data down reply", dir: DeviceToCloud, request: "custome/down/{id}"},
	{function: "cmp/property/post", name: "card information report", dir: DeviceToCloud, reply: "cmp/property/post/reply"},
	{function: "cmp/property/post/reply", name: "card information report reply", dir: CloudToDevice, request: "cmp/property/post"},
}

// suiteTopics is onenet.md §3.3 (the MQTT IoT suite).
var suiteTopics = []topicPattern{
	{function: "dp/post/json", name: "data point report", dir: DeviceToCloud, reply: "dp/post/json/accepted"},
	{function: "dp/post/json/accepted", name: "data point report accepted", dir: CloudToDevice, request: "dp/post/json"},
	{function: "dp/post/json/rejected", name: "data point report rejected", dir: CloudToDevice, request: "dp/post/json"},
	{function: "cmd/request/{id}", name: "command", dir: CloudToDevice, reply: "cmd/response/{id}"},
	{function: "cmd/response/{id}", name: "command response", dir: DeviceToCloud, request: "cmd/request/{id}"},
	{function: "cmd/response/{id}/accepted", name: "command response accepted", dir: CloudToDevice},
	{function: "cmd/response/{id}/rejected", name: "command response rejected", dir: CloudToDevice},
	{function: "image/update", name: "device image update", dir: DeviceToCloud, reply: "image/update/accepted"},
	{function: "image/update/accepted", name: "device image update accepted", dir: CloudToDevice, request: "image/update"},
	{function: "image/update/rejected", name: "device image update rejected", dir: CloudToDevice, request: "image/update"},
	{function: "image/update/delta", name: "device image delta", dir: CloudToDevice},
	{function: "image/get", name: "device image get", dir: DeviceToCloud, reply: "image/get/accepted"},
	{function: "image/get/accepted", name: "device image get accepted", dir: CloudToDevice, request: "image/get"},
	{function: "image/get/rejected", name: "device image get rejected", dir: CloudToDevice, request: "image/get"},
}

// ClassifyTopic recognises a OneNET topic: the Studio and MQTT-suite
// "$sys/{pid}/{device}/…" topics and the legacy "$dp", "$creq/{uuid}",
// "$crsp/{uuid}". ok is false for other topics (user topics). The Topic's
// strings are substrings of topic or constants (a function with an
// identifier level is built).
func ClassifyTopic(topic string) (Topic, bool) {
	t, _, ok := classify(topic)
	return t, ok
}

// patNone is the pattern index of a topic no table entry matched (legacy,
// unknown $sys).
const patNone = -1

// classify is ClassifyTopic that also gives the index of the pattern that
// matched (studioTopics, then suiteTopics), so that a cache can rebuild
// the Topic from the name with topicAt instead of matching again.
func classify(topic string) (Topic, int, bool) {
	switch {
	case topic == "$dp":
		return Topic{Platform: Legacy, Function: "$dp", Name: "data point upload (legacy)", Direction: DeviceToCloud}, patNone, true
	case strings.HasPrefix(topic, "$creq/"):
		return Topic{Platform: Legacy, Function: "$creq", Name: "command request (legacy)", Direction: CloudToDevice,
			Identifier: topic[len("$creq/"):], ReplyFunction: "$crsp"}, patNone, true
	case strings.HasPrefix(topic, "$crsp/"):
		return Topic{Platform: Legacy, Function: "$crsp", Name: "command response (legacy)", Direction: DeviceToCloud,
			Identifier: topic[len("$crsp/"):], Reply: true, Request: "$creq"}, patNone, true
	}
	t, ok := sysTopic(topic)
	if !ok {
		return Topic{}, patNone, false
	}
	for i := range len(studioTopics) + len(suiteTopics) {
		if t, ok := withPattern(t, i); ok {
			return t, i, true
		}
	}
	t.Platform, t.Name = Unknown, "unknown $sys topic"
	return t, patNone, true
}

// sysTopic splits "$sys/{pid}/{device}/{function}".
func sysTopic(topic string) (Topic, bool) {
	rest, ok := strings.CutPrefix(topic, "$sys/")
	if !ok {
		return Topic{}, false
	}
	pid, rest, ok1 := strings.Cut(rest, "/")
	dev, fn, ok2 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || pid == "" || dev == "" {
		return Topic{}, false
	}
	return Topic{ProductID: pid, DeviceName: dev, Function: fn}, true
}

// withPattern fills t from pattern i when its function matches.
func withPattern(t Topic, i int) (Topic, bool) {
	p, platform := patternAt(i)
	var id string
	var ok bool
	if strings.Contains(p.function, "{id}") {
		id, ok = matchFunction(p.function, t.Function)
	} else {
		ok = p.function == t.Function
	}
	if !ok {
		return t, false
	}
	t.Platform, t.Name, t.Direction, t.Identifier = platform, p.name, p.dir, id
	t.Reply = p.request != ""
	t.Request = withID(p.request, id)
	t.ReplyFunction = withID(p.reply, id)
	return t, true
}

// patternAt is pattern i of studioTopics, then suiteTopics, and its
// platform.
func patternAt(i int) (*topicPattern, Platform) {
	if i < len(studioTopics) {
		return &studioTopics[i], Studio
	}
	return &suiteTopics[i-len(studioTopics)], Suite
}

// topicAt is the Topic of a name that classify matched with pattern pat.
func topicAt(topic string, pat int) Topic {
	if pat == patNone {
		t, _, _ := classify(topic)
		return t
	}
	t, _ := sysTopic(topic)
	t, _ = withPattern(t, pat)
	return t
}

// matchFunction matches a function path against a pattern whose "{id}"
// level matches any one level.
func matchFunction(pattern, function string) (string, bool) {
	var id string
	for {
		pp, prest, pmore := strings.Cut(pattern, "/")
		fp, frest, fmore := strings.Cut(function, "/")
		switch {
		case pp == "{id}":
			if fp == "" {
				return "", false
			}
			id = fp
		case pp != fp:
			return "", false
		}
		if !pmore || !fmore {
			return id, pmore == fmore
		}
		pattern, function = prest, frest
	}
}

func withID(function, id string) string {
	if id == "" {
		return function // only an {id} level gives an id
	}
	return strings.Replace(function, "{id}", id, 1)
}

// ReplyTopic is the full topic the answer to this request comes on, or ""
// when it has none.
func (t Topic) ReplyTopic() string {
	if t.ReplyFunction == "" {
		return ""
	}
	if t.Platform == Legacy {
		return t.ReplyFunction + "/" + t.Identifier
	}
	return "$sys/" + t.ProductID + "/" + t.DeviceName + "/" + t.ReplyFunction
}

// RequestTopic is the full topic of the request a reply answers, or "".
func (t Topic) RequestTopic() string {
	if t.Request == "" {
		return ""
	}
	if t.Platform == Legacy {
		return t.Request + "/" + t.Identifier
	}
	return "$sys/" + t.ProductID + "/" + t.DeviceName + "/" + t.Request
}
