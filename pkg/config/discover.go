package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Searched is one place the loader looks for a config file.
type Searched struct {
	Path string `json:"path"`
	// Origin is "flag" (--config or BSAI_CONFIG), "user"
	// ($XDG_CONFIG_HOME/bsai/app-config.yaml) or "project" (the working
	// directory's app-config.yaml and app-config.local.yaml).
	Origin string `json:"origin"`
	Found  bool   `json:"found"`
}

// UserConfigFile is the per-user config file for env: $XDG_CONFIG_HOME/
// bsai/app-config.yaml, else ~/.config/bsai/app-config.yaml (the XDG
// default, also on macOS, as gh does), on Windows %AppData%\bsai\. ""
// when none of those variables is set.
func UserConfigFile(env map[string]string) string {
	dir := env["XDG_CONFIG_HOME"]
	if dir == "" || !filepath.IsAbs(dir) { // the spec says relative values are ignored
		dir = ""
		if runtime.GOOS == "windows" {
			dir = env["APPDATA"]
		} else if home := env["HOME"]; home != "" {
			dir = filepath.Join(home, ".config")
		}
	}
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, "bsai", "app-config.yaml")
}

// Discover lists, in merge order (later wins), where Load looks for config:
// the --config files when given (only those, as Backstage does); otherwise
// the user file, then app-config.yaml and app-config.local.yaml in Dir.
// APP_CONFIG_* variables are applied after all of them.
func Discover(opts LoadOptions) []Searched {
	// A file that exists but cannot be read counts as found, so the read
	// error is reported rather than the file silently skipped. Without a
	// custom reader only Stat is used: reading to find out would block on
	// an app-config.yaml that is a FIFO (the load then refuses it).
	found := func(p string) bool {
		var err error
		if opts.ReadFile != nil {
			_, err = opts.ReadFile(p)
		} else {
			_, err = os.Stat(p)
		}
		return err == nil || !errors.Is(err, fs.ErrNotExist)
	}
	var out []Searched
	if len(opts.Files) > 0 {
		for _, f := range opts.Files {
			out = append(out, Searched{Path: f, Origin: "flag", Found: found(f)})
		}
		return out
	}
	if u := UserConfigFile(envMap(opts.Env)); u != "" {
		out = append(out, Searched{Path: u, Origin: "user", Found: found(u)})
	}
	for _, name := range DefaultFiles {
		p := filepath.Join(opts.Dir, name)
		out = append(out, Searched{Path: p, Origin: "project", Found: found(p)})
	}
	return out
}
