package onenet

import "testing"

// BenchmarkParseMessage reads typical OneNET payloads with the encoding/json
// reader the scanner replaced (kept as the tests' oracle) and with the
// scanner, in the same run:
//
//	go test -run XXX -bench ParseMessage -count 5 ./onenet | benchstat -col /reader -
func BenchmarkParseMessage(b *testing.B) {
	cases := []struct{ name, topic, payload string }{
		{"post", "$sys/VRqhDHF2wL/my_tv/thing/property/post", `{"id":"123","version":"1.0","params":{"wendu":{"value":21.1},"shidu":{"value":48}}}`},
		{"post-seed", "$sys/VRqhDHF2wL/my_tv/thing/property/post", `{"id": "123","version" : "1.0","params": {"wendu": {"value": 21.1}}}`},
		{"reply", "$sys/VRqhDHF2wL/my_tv/thing/property/post/reply", `{"id":"123","code":200,"msg":"success"}`},
		{"set", "$sys/VRqhDHF2wL/my_tv/thing/property/set", `{"id":"7","version":"1.0","params":{"wendu":25}}`},
		{"event", "$sys/VRqhDHF2wL/my_tv/thing/event/post", `{"id":"42","version":"1.0","params":{"alarm":{"value":{"level":3,"text":"\u8fc7\u70ed"},"time":1764150000000}}}`},
		{"dp", "$sys/238322/dev1/dp/post/json", `{"id":123,"dp":{"temp":[{"v":30,"t":1552289676}],"hum":[{"v":40}]}}`},
	}
	for _, c := range cases {
		t, ok := ClassifyTopic(c.topic)
		if !ok {
			b.Fatal(c.topic)
		}
		payload := []byte(c.payload)
		b.Run(c.name+"/reader=encoding_json", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				parseMessageJSON(t, payload)
			}
		})
		b.Run(c.name+"/reader=scanner", func(b *testing.B) {
			var p MessageParser
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				p.Parse(&t, payload)
			}
		})
	}
}
