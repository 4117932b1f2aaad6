package config

import (
	"errors"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// LoadOptions says which files to read and which environment to use.
type LoadOptions struct {
	// Files are read in order, later wins. Empty means the defaults in Dir:
	// app-config.yaml then app-config.local.yaml, each if present.
	Files []string
	// Dir is the working directory for the defaults ("" = current).
	Dir string
	// Env is the environment as os.Environ() gives it; nil means os.Environ().
	Env []string
}

// DefaultFiles are read when no --config is given, as Backstage does.
var DefaultFiles = []string{"app-config.yaml", "app-config.local.yaml"}

// Load reads and merges config files.
// TODO(issue 2): full config-loader semantics (substitution, directives,
// APP_CONFIG_ overrides, null clearing).
func Load(opts LoadOptions) (*Config, error) {
	files := opts.Files
	if len(files) == 0 {
		for _, name := range DefaultFiles {
			p := filepath.Join(opts.Dir, name)
			if _, err := os.Stat(p); err == nil {
				files = append(files, p)
			}
		}
	}
	merged := map[string]any{}
	origins := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, errs.Config("config file %s not found", f).WithHint("check the path given to --config or BSAI_CONFIG")
			}
			return nil, errs.Config("read config %s: %w", f, err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			return nil, errs.Config("parse config %s: %w", f, err)
		}
		merged = merge(merged, m, "", f, origins)
	}
	return &Config{data: merged, files: files, origins: origins}, nil
}

// merge deep-merges src into dst, recording which file each key came from
// so relative paths can later be resolved against that file's folder.
func merge(dst, src map[string]any, prefix, file string, origins map[string]string) map[string]any {
	for k, v := range src {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		origins[key] = file
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = merge(dm, sm, key, file, origins)
				continue
			}
			dst[k] = merge(map[string]any{}, sm, key, file, origins)
			continue
		}
		dst[k] = v
	}
	return dst
}
