package main

import (
	"runtime/debug"
	"testing"
)

// --version shows the module version, and the commit, its time and a dirty
// tree when the build recorded them.
func TestVersionString(t *testing.T) {
	for _, tt := range []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install @version", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}},
			"v1.2.0, go1.26.8"},
		{"a build in a clone", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "48eb6b4c1a2f3e4d5c6b7a8998a7b6c5d4e3f2a1"},
			{Key: "vcs.time", Value: "2026-11-26T10:47:15Z"}, {Key: "vcs.modified", Value: "true"}}},
			"(devel) (commit 48eb6b4c1a2f, 2026-11-26T10:47:15Z, modified), go1.26.8"},
		{"clean tree", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.3.0-0.20261126104715-48eb6b4c1a2f"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "48eb6b4c1a2f3e4d"}, {Key: "vcs.modified", Value: "false"}}},
			"v1.3.0-0.20261126104715-48eb6b4c1a2f (commit 48eb6b4c1a2f), go1.26.8"},
		{"no main module version", debug.BuildInfo{GoVersion: "go1.26.8"}, "(devel), go1.26.8"},
	} {
		if got := versionString(&tt.info); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
