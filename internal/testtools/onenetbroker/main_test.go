package main

import (
	"encoding/hex"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		payload, id string
		code        int
	}{
		{`{"id":"123","version":"1.0","params":{"wendu":{"value":21.1}}}`, `"123"`, 200},
		{`{"id": "123","version" : "1.0","params": {"wendu": {"value": 21.1}}}`, `"123"`, 200}, // the seed PUBLISH
		{`{"id":"9","params":{"alarm":{"value":{"level":2},"time":1700000000000}}}`, `"9"`, 200},
		{`{"id":"124","version":"1.0","params":{"wendu":21.1}}`, `"124"`, 2402},
		{`{"id":"125","params":{"a":{"value":1},"b":2}}`, `"125"`, 2402},
		{`{"id":126,"params":{"a":{"value":1}}}`, `126`, 2402},
		{`{"id":"127"}`, `"127"`, 2402},
		{`{"params":{"a":{"value":1}}}`, `null`, 2402},
		{`not json`, `null`, 2402},
	} {
		id, code, _ := check([]byte(c.payload))
		if string(id) != c.id || code != c.code {
			t.Errorf("check(%s) = %s, %d; want %s, %d", c.payload, id, code, c.id, c.code)
		}
	}
}

func TestMatches(t *testing.T) {
	const topic = "$sys/VRqhDHF2wL/my_tv/thing/property/set"
	for filter, want := range map[string]bool{
		topic: true, "$sys/VRqhDHF2wL/my_tv/thing/#": true, "$sys/+/+/thing/property/+": true,
		"$sys/VRqhDHF2wL/my_tv/thing/property/set_reply": false, "$sys/VRqhDHF2wL/my_tv/thing": false,
		"$sys/VRqhDHF2wL/my_tv/thing/property/set/x": false,
	} {
		if got := matches(filter, topic); got != want {
			t.Errorf("matches(%q) = %v, want %v", filter, got, want)
		}
	}
}

// The seed CONNECT of onenet.md §6.2, rebuilt from its token.
func TestConnectPacket(t *testing.T) {
	const token = "version=2018-10-31&res=products%2FVRqhDHF2wL%2Fdevices%2Fmy_tv&et=1661245031&method=md5&sign=y4iDPu6Yp84FO7sxpcdcSQ%3D%3D"
	const seed = "10980100044d51545404c2003c00056d795f7476000a5652716844484632774c007976657273696f6e3d323031382d31302d3331267265733d70726f64756374732532465652716844484632774c253246646576696365732532466d795f74762665743d31363631323435303331266d6574686f643d6d6435267369676e3d7934694450753659703834464f377378706364635351253344253344"
	if got := hex.EncodeToString(connectPacket("my_tv", "VRqhDHF2wL", token, 60)); got != seed {
		t.Errorf("connectPacket = %s\nwant           %s", got, seed)
	}
}
