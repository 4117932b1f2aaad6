package config

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// FuzzLoad feeds arbitrary YAML to the loader through an in-memory file
// system (the input may $include or $file itself and two sibling files).
// Any input must give a config or an errs.Config error, never a panic.
// Run: go test ./pkg/config -run '^$' -fuzz FuzzLoad -fuzztime 30s -fuzzminimizetime 200x
// (a capped minimize time keeps the engine from stalling on big inputs).
func FuzzLoad(f *testing.F) {
	seeds := []string{
		"backend:\n  baseUrl: http://${HOST:-localhost}:7007\n",
		"a: {$include: ./inc.yaml#x.y}\nb: {$file: ./f.txt}\nc: {$env: TOKEN}\n",
		"a: {$include: ./app-config.yaml}\n",
		"x: &a [1, *a]\n",
		"base: &b {x: 1}\nuse:\n  <<: *b\n  y: $${literal} $$${X}\n",
		"- list\n",
		"a: null\nb: [null, ~, 1]\n",
		"k: {$unknown: 1}\n",
		"a: b\n---\nc: d\n",
		"\t bad: [\n",
		"n: .inf\nm: 0x10\nbig: 123456789012345678901234567890\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	files := map[string][]byte{
		"inc.yaml": []byte("x:\n  y: {z: ${TOKEN}}\n  w: {$include: ./app-config.yaml}\n"),
		"f.txt":    []byte(" content \n"),
	}
	env := []string{"HOST=h", "TOKEN=t", "APP_CONFIG_a_b=1"}
	f.Fuzz(func(t *testing.T, data []byte) {
		read := func(name string) ([]byte, error) {
			if name == "app-config.yaml" {
				return data, nil
			}
			if b, ok := files[name]; ok {
				return b, nil
			}
			return nil, fs.ErrNotExist
		}
		c, err := Load(LoadOptions{Files: []string{"app-config.yaml"}, Env: env, ReadFile: read})
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.KindConfig {
				t.Fatalf("error is not a config error: %T %v", err, err)
			}
			return
		}
		_ = c.Redacted()
		var v struct {
			Backend struct {
				BaseURL string `json:"baseUrl"`
			} `json:"backend"`
		}
		_ = c.Decode("", &v)
	})
}
