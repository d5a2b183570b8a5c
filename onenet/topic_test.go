package onenet

import (
	"strings"
	"testing"
)

func TestClassifyTopic(t *testing.T) {
	const p = "$sys/VRqhDHF2wL/my_tv/"
	tests := []struct {
		topic      string
		platform   Platform
		function   string
		name       string
		dir        Direction
		reply      bool
		replyTopic string
		request    string
		identifier string
	}{
		{p + "thing/property/post", Studio, "thing/property/post", "property report", DeviceToCloud, false, p + "thing/property/post/reply", "", ""},
		{p + "thing/property/post/reply", Studio, "thing/property/post/reply", "property report reply", CloudToDevice, true, "", p + "thing/property/post", ""},
		{p + "thing/property/set", Studio, "thing/property/set", "property set", CloudToDevice, false, p + "thing/property/set_reply", "", ""},
		{p + "thing/property/set_reply", Studio, "thing/property/set_reply", "property set reply", DeviceToCloud, true, "", p + "thing/property/set", ""},
		{p + "thing/property/desired/get", Studio, "thing/property/desired/get", "desired values get", DeviceToCloud, false, p + "thing/property/desired/get/reply", "", ""},
		{p + "thing/event/post/reply", Studio, "thing/event/post/reply", "event report reply", CloudToDevice, true, "", p + "thing/event/post", ""},
		{p + "thing/service/reboot/invoke", Studio, "thing/service/reboot/invoke", "service invoke", CloudToDevice, false, p + "thing/service/reboot/invoke_reply", "", "reboot"},
		{p + "thing/service/reboot/invoke_reply", Studio, "thing/service/reboot/invoke_reply", "service invoke reply", DeviceToCloud, true, "", p + "thing/service/reboot/invoke", "reboot"},
		{p + "thing/sub/topo/get/result", Studio, "thing/sub/topo/get/result", "topology get result", DeviceToCloud, false, "", "", ""},
		{p + "thing/sub/topo/change_reply", Studio, "thing/sub/topo/change_reply", "topology change notify reply", DeviceToCloud, true, "", p + "thing/sub/topo/change", ""},
		{p + "ota/inform", Studio, "ota/inform", "OTA task notification", CloudToDevice, false, p + "ota/inform_reply", "", ""},
		{p + "custome/down/42", Studio, "custome/down/42", "custom data down", CloudToDevice, false, p + "custome/down_reply/42", "", "42"},
		{"$sys/238322/dev1/dp/post/json", Suite, "dp/post/json", "data point report", DeviceToCloud, false, "$sys/238322/dev1/dp/post/json/accepted", "", ""},
		{"$sys/238322/dev1/dp/post/json/rejected", Suite, "dp/post/json/rejected", "data point report rejected", CloudToDevice, true, "", "$sys/238322/dev1/dp/post/json", ""},
		{"$sys/238322/dev1/cmd/request/9a3f", Suite, "cmd/request/9a3f", "command", CloudToDevice, false, "$sys/238322/dev1/cmd/response/9a3f", "", "9a3f"},
		{"$dp", Legacy, "$dp", "data point upload (legacy)", DeviceToCloud, false, "", "", ""},
		{"$creq/uuid-1", Legacy, "$creq", "command request (legacy)", CloudToDevice, false, "$crsp/uuid-1", "", "uuid-1"},
		{"$crsp/uuid-1", Legacy, "$crsp", "command response (legacy)", DeviceToCloud, true, "", "$creq/uuid-1", "uuid-1"},
		{p + "thing/unknown", Unknown, "thing/unknown", "unknown $sys topic", DirUnknown, false, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			got, ok := ClassifyTopic(tt.topic)
			if !ok {
				t.Fatal("not recognised")
			}
			if got.Platform != tt.platform || got.Function != tt.function || got.Name != tt.name || got.Direction != tt.dir ||
				got.Reply != tt.reply || got.Identifier != tt.identifier {
				t.Errorf("got %+v", got)
			}
			if got.ReplyTopic() != tt.replyTopic || got.RequestTopic() != tt.request {
				t.Errorf("reply topic %q request %q", got.ReplyTopic(), got.RequestTopic())
			}
			if got.Platform != Legacy && (got.ProductID == "" || got.DeviceName == "") {
				t.Errorf("identity %q %q", got.ProductID, got.DeviceName)
			}
		})
	}
	for _, user := range []string{"sensors/temp", "$SYS/broker/uptime", "$sys/only", "$sys//dev/thing/property/post", ""} {
		if got, ok := ClassifyTopic(user); ok {
			t.Errorf("%q recognised as %+v", user, got)
		}
	}
}

func TestTopicMatches(t *testing.T) {
	for _, tt := range []struct {
		filter, topic string
		want          bool
	}{
		{"$sys/p/d/thing/#", "$sys/p/d/thing/property/post/reply", true},
		{"$sys/p/d/#", "$sys/p/d", true},
		{"$sys/p/d/thing/property/+", "$sys/p/d/thing/property/set", true},
		{"$sys/p/d/thing/property/+", "$sys/p/d/thing/property/post/reply", false},
		{"a/b", "a/b", true},
		{"a/b", "a/b/c", false},
		{"a/+/c", "a/x/c", true},
		{"#", "anything/at/all", true},
	} {
		if got := TopicMatches(tt.filter, tt.topic); got != tt.want {
			t.Errorf("TopicMatches(%q, %q) = %v", tt.filter, tt.topic, got)
		}
	}
}

func TestParseMessage(t *testing.T) {
	post, _ := ClassifyTopic("$sys/VRqhDHF2wL/my_tv/thing/property/post")
	reply, _ := ClassifyTopic("$sys/VRqhDHF2wL/my_tv/thing/property/post/reply")
	dp, _ := ClassifyTopic("$sys/238322/dev1/dp/post/json")
	tests := []struct {
		name     string
		topic    Topic
		payload  string
		id       string
		params   string // identifier=value, in order
		code     int
		findings []string
	}{
		{"seed property report (onenet.md §6.4)", post, `{"id": "123","version" : "1.0","params": {"wendu": {"value": 21.1}}}`, "123", "wendu=21.1", 0, nil},
		{"two wrapped params in order", post, `{"id":"9","params":{"b":{"value":true,"time":1700000000000},"a":{"value":"x"}}}`, "9", `b=true a="x"`, 0, nil},
		{"flat params: 2402 expected", post, `{"id":"124","version":"1.0","params":{"wendu":21.1}}`, "124", "wendu=21.1", 0, []string{"flat_params"}},
		{"numeric id", post, `{"id":125,"params":{"t":{"value":1}}}`, "125", "t=1", 0, []string{"id_not_string"}},
		{"time in seconds", post, `{"id":"1","params":{"t":{"value":1,"time":1700000000}}}`, "1", "t=1", 0, []string{"time_seconds"}},
		{"no id", post, `{"params":{"t":{"value":1}}}`, "", "t=1", 0, []string{"missing_id"}},
		{"not JSON", post, `wendu=21.1`, "", "", 0, []string{"invalid_json"}},
		{"success reply", reply, `{"id":"123","code":200,"msg":"success"}`, "123", "", 200, nil},
		{"2402 reply", reply, `{"id":"124","code":2402,"msg":"request format error"}`, "124", "", 2402, nil},
		{"reply without code", reply, `{"id":"123"}`, "123", "", 0, []string{"missing_code"}},
		{"suite data points", dp, `{"id":123,"dp":{"temp":[{"v":30,"t":1552289676}],"hum":[{"v":40}]}}`, "123", "hum=40 temp=30", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := ParseMessage(tt.topic, []byte(tt.payload))
			if !ok {
				t.Fatal("not parsed")
			}
			if string(m.ID) != tt.id || m.Code != tt.code {
				t.Errorf("id %q code %d", m.ID, m.Code)
			}
			var params string
			for i, p := range m.Params {
				if i > 0 {
					params += " "
				}
				params += string(p.Identifier) + "=" + string(p.Value)
			}
			if params != tt.params {
				t.Errorf("params %q, want %q", params, tt.params)
			}
			var codes []string
			for _, f := range m.Findings {
				codes = append(codes, f.Code)
			}
			if len(codes) != len(tt.findings) || (len(codes) > 0 && codes[0] != tt.findings[0]) {
				t.Errorf("findings %v, want %v", codes, tt.findings)
			}
		})
	}
	if CodeMeaning(2402) == "" || CodeMeaning(200) != "success" {
		t.Error("code meanings")
	}
}

// TestCachedTopic checks that a connection's topic cache gives back what
// classify gave, for a name of every pattern, with and without an {id}
// level, and for the names classify takes without a pattern.
func TestCachedTopic(t *testing.T) {
	names := []string{"$dp", "$creq/uuid-1", "$crsp/uuid-1", "$sys/p/d/thing/unknown", "$sys/p/d/", "$sys/VRqhDHF2wL/my_tv/thing/property/post"}
	for _, pats := range [][]topicPattern{studioTopics, suiteTopics} {
		for _, p := range pats {
			names = append(names, "$sys/12345/dev-1/"+strings.ReplaceAll(p.function, "{id}", "svc_9"))
		}
	}
	for _, name := range names {
		checkCachedTopic(t, name)
	}
}

// checkCachedTopic fails t when the cache's Topic for name is not
// classify's.
func checkCachedTopic(t *testing.T, name string) {
	t.Helper()
	want, pat, ok := classify(name)
	if !ok {
		return
	}
	e := newCachedTopic(name, pat, &want)
	var got Topic
	e.fill(&got)
	if got != want {
		t.Fatalf("%q: the cache gives %+v, classify %+v", name, got, want)
	}
}
