package pipeline

import (
	"testing"
	"unsafe"
)

// cacheLine is the line size the layout below must keep apart (64 bytes
// on amd64; cpu.CacheLinePad is as large as the target's line).
const cacheLine = 64

// fieldSpan is a field's place in its struct.
type fieldSpan struct {
	name     string
	off, end uintptr
}

func field(name string, off, size uintptr) fieldSpan { return fieldSpan{name, off, off + size} }

// apart fails t when a field of one group comes within a cache line of a
// field of the other, wherever the struct starts.
func apart(t *testing.T, what string, writes, reads []fieldSpan) {
	t.Helper()
	for _, w := range writes {
		for _, r := range reads {
			gap := max(int(r.off)-int(w.end), int(w.off)-int(r.end))
			if gap < cacheLine {
				t.Errorf("%s: %s and %s are %d bytes apart: they can share a cache line", what, w.name, r.name, gap)
			}
		}
	}
}

// TestHotFieldsOnLinesOfTheirOwn keeps what one goroutine writes for every
// frame or record off the cache lines another reads as often: sharing a
// line (false sharing) cost a third of read's CPU time on two cores, and a
// reordering of fields brings it back without any other sign.
func TestHotFieldsOnLinesOfTheirOwn(t *testing.T) {
	var p Pipeline
	apart(t, "Pipeline",
		[]fieldSpan{
			field("frames", unsafe.Offsetof(p.frames), unsafe.Sizeof(p.frames)),
			field("lastTime", unsafe.Offsetof(p.lastTime), unsafe.Sizeof(p.lastTime)),
			field("maxRel", unsafe.Offsetof(p.maxRel), unsafe.Sizeof(p.maxRel)),
			field("found", unsafe.Offsetof(p.found), unsafe.Sizeof(p.found)),
			field("budget", unsafe.Offsetof(p.budget), unsafe.Sizeof(p.budget)),
		},
		[]fieldSpan{
			field("opts", unsafe.Offsetof(p.opts), unsafe.Sizeof(p.opts)),
			field("start", unsafe.Offsetof(p.start), unsafe.Sizeof(p.start)),
			field("failed", unsafe.Offsetof(p.failed), unsafe.Sizeof(p.failed)),
		})
	if end := unsafe.Offsetof(p.budget) + unsafe.Sizeof(p.budget); unsafe.Sizeof(p)-end < cacheLine {
		t.Errorf("Pipeline: the stream side's counters end %d bytes before the struct: the next object can share their line", unsafe.Sizeof(p)-end)
	}

	var st connState
	apart(t, "connState",
		[]fieldSpan{
			field("dirs", unsafe.Offsetof(st.dirs), unsafe.Sizeof(st.dirs)),
			field("tr", unsafe.Offsetof(st.tr), unsafe.Sizeof(st.tr)),
			field("said", unsafe.Offsetof(st.said), unsafe.Sizeof(st.said)),
			field("shard", unsafe.Offsetof(st.shard), unsafe.Sizeof(st.shard)),
		},
		[]fieldSpan{
			field("info", unsafe.Offsetof(st.info), unsafe.Sizeof(st.info)),
			field("session", unsafe.Offsetof(st.session), unsafe.Sizeof(st.session)),
			field("onenet", unsafe.Offsetof(st.onenet), unsafe.Sizeof(st.onenet)),
		})

	// Two workers append to neighbouring parts of a batch at once.
	var parts [2]workerPart
	first := field("parts[0]", 0, unsafe.Offsetof(parts[0].ends)+unsafe.Sizeof(parts[0].ends))
	second := field("parts[1]", unsafe.Sizeof(parts[0]), unsafe.Sizeof(parts[0])+unsafe.Offsetof(parts[1].ends)+unsafe.Sizeof(parts[1].ends))
	apart(t, "workerPart", []fieldSpan{first}, []fieldSpan{second})
}
