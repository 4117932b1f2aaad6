// Package buildinfo decides which version, commit and build date bsai
// reports. Release builds get them from the linker (-X main.version=…);
// `go install github.com/bsai-dev/bsai@v1.2.3` and plain `go build` do not
// run the linker flags, but the Go toolchain records the module version and
// the VCS revision and time in the binary, which runtime/debug exposes.
package buildinfo

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
)

// Placeholders main.go uses when the linker set nothing.
const (
	DevVersion  = "dev"
	NoCommit    = "none"
	UnknownDate = "unknown"
)

// Info is what `bsai version` prints.
type Info struct {
	Version string
	Commit  string
	Date    string
}

// Resolve fills whatever the linker left at its placeholder from the
// toolchain's build info (read is debug.ReadBuildInfo, replaceable in
// tests). Values set by the linker always win.
func Resolve(version, commit, date string, read func() (*debug.BuildInfo, bool)) Info {
	info := Info{Version: version, Commit: commit, Date: date}
	if read == nil {
		read = debug.ReadBuildInfo
	}
	bi, ok := read()
	if !ok || bi == nil {
		return info
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if isUnset(info.Version, DevVersion) {
		// "(devel)" is what the toolchain records when it knows no version
		// (a build outside any module cache or VCS tag); keep "dev" then.
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.Version = v
		}
	}
	if isUnset(info.Commit, NoCommit) {
		if rev := settings["vcs.revision"]; rev != "" {
			info.Commit = rev
		}
	}
	if isUnset(info.Date, UnknownDate) {
		if t := settings["vcs.time"]; t != "" {
			info.Date = t
		}
	}
	return info
}

func isUnset(v, placeholder string) bool { return v == "" || v == placeholder }

// BinaryID identifies the running bsai executable for caches whose files
// only this build may read: its module version and VCS revision, plus the
// executable's size and time, because a development build keeps its
// version and revision while its code changes.
func BinaryID() string { return binaryID() }

var binaryID = sync.OnceValue(func() string {
	id := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		id = bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				id += " " + s.Value
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			id += fmt.Sprintf(" %d %d", fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return id
})
