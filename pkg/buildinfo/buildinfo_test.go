package buildinfo

import (
	"runtime/debug"
	"testing"
)

func fake(version string, settings ...string) func() (*debug.BuildInfo, bool) {
	return func() (*debug.BuildInfo, bool) {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/bsai-dev/bsai", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi, true
	}
}

func TestResolve(t *testing.T) {
	cases := []struct {
		name                string
		v, c, d             string
		read                func() (*debug.BuildInfo, bool)
		wantV, wantC, wantD string
	}{
		{"go install module version", "dev", "none", "unknown",
			fake("v1.4.0", "vcs.revision", "0123abc", "vcs.time", "2026-11-30T10:00:00Z"),
			"v1.4.0", "0123abc", "2026-11-30T10:00:00Z"},
		{"go build in a clone: devel version stays dev", "dev", "none", "unknown",
			fake("(devel)", "vcs.revision", "feed", "vcs.time", "2026-01-01T00:00:00Z", "vcs.modified", "true"),
			"dev", "feed", "2026-01-01T00:00:00Z"},
		{"linker values win", "1.2.3", "abc", "2026-01-02",
			fake("v9.9.9", "vcs.revision", "zzz", "vcs.time", "1999"),
			"1.2.3", "abc", "2026-01-02"},
		{"no build info", "dev", "none", "unknown",
			func() (*debug.BuildInfo, bool) { return nil, false },
			"dev", "none", "unknown"},
		{"module cache build has no vcs settings", "dev", "none", "unknown",
			fake("v0.3.0"), "v0.3.0", "none", "unknown"},
	}
	for _, c := range cases {
		got := Resolve(c.v, c.c, c.d, c.read)
		if got.Version != c.wantV || got.Commit != c.wantC || got.Date != c.wantD {
			t.Errorf("%s: got %+v, want %s %s %s", c.name, got, c.wantV, c.wantC, c.wantD)
		}
	}
}
