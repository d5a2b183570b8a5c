//go:build !goexperiment.jsonv2

package onenet_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// TestOneJSONCaptures: the scanner agrees with encoding/json on every
// PUBLISH payload of the test captures (and of the shared corpus when it
// is there): OneJSON payloads under their own topic, every payload also
// as a Studio property report and as a suite data point report.
func TestOneJSONCaptures(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/pcaps/*.pcap*")
	corpus, _ := filepath.Glob("../../shared/corpus/pcaps/*.pcap*")
	paths = append(paths, corpus...)
	post, _ := onenet.ClassifyTopic("$sys/VRqhDHF2wL/my_tv/thing/property/post")
	dp, _ := onenet.ClassifyTopic("$sys/238322/dev1/dp/post/json")
	var onejson, all int
	for _, path := range paths {
		src, err := capture.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		opts := pipeline.DefaultOptions()
		opts.OneNET = false
		sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
			if r.Kind != pipeline.KindPacket || r.Packet.Type != decode.PUBLISH {
				return nil
			}
			payload := r.Packet.Payload
			topics := []onenet.Topic{post, dp}
			if tp, ok := onenet.ClassifyTopic(string(r.Packet.TopicName())); ok {
				topics = append(topics, tp)
				onejson++
			}
			all++
			for _, tp := range topics {
				if d := onenet.DiffOracle(tp, payload); d != "" {
					t.Errorf("%s frame %d, as %s: %s", filepath.Base(path), r.Frame, tp.Function, d)
				}
			}
			return nil
		})
		err = pipeline.New(opts, sink).Run(context.Background(), src)
		src.Close()
		if err != nil {
			t.Logf("%s: %v", filepath.Base(path), err)
		}
	}
	t.Logf("%d PUBLISH payloads, %d on OneNET topics, from %d captures", all, onejson, len(paths))
	if onejson < 6 {
		t.Errorf("only %d OneNET payloads in the test captures: are testdata/pcaps/onenet-* there?", onejson)
	}
}
