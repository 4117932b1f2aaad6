// Package buildinfo decides which version, commit and build date bsai
// reports. Release builds get them from the linker (-X main.version=…);
// `go install github.com/bsai-dev/bsai@v1.2.3` and plain `go build` do not
// run the linker flags, but the Go toolchain records the module version and
// the VCS revision and time in the binary, which runtime/debug exposes.
package buildinfo

import "runtime/debug"

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
