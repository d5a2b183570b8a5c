package report

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// topicCounts counts as the map it replaced did: up to maxConnTopics
// distinct topics one by one, the PUBLISH packets to further ones in
// other, whatever the order and however many topics fit in place.
func TestTopicCountsAsAMap(t *testing.T) {
	for _, distinct := range []int{1, fewTopics, fewTopics + 1, maxConnTopics, maxConnTopics + 5, 3 * maxConnTopics} {
		rng := rand.New(rand.NewPCG(uint64(distinct), 9))
		var got topicCounts
		want, wantOther := map[string]int{}, 0
		for range 20 * distinct {
			topic := fmt.Sprintf("$sys/p/d%d/thing/property/post", rng.IntN(distinct))
			got.add(topic)
			if len(want) < maxConnTopics || want[topic] > 0 {
				want[topic]++
			} else {
				wantOther++
			}
		}
		if m := got.asMap(); !maps.Equal(m, want) || got.other != wantOther {
			t.Errorf("%d topics: counted %v and %d others, want %v and %d", distinct, m, got.other, want, wantOther)
		}
	}
	var none topicCounts
	if m := none.asMap(); m == nil || len(m) != 0 {
		t.Errorf("no PUBLISH: %v, want an empty map (JSON {})", m)
	}
}
