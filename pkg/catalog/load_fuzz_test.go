//go:build unix

package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/boundedio"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// outsideSecret is in a file beside (not below) the catalog folder; no
// entity may ever hold it.
const outsideSecret = "OUTSIDE-SECRET-5c1d"

// hostileDir lays out what a hostile catalog reaches for: a secret
// outside its folder, links to it and to /proc/self/environ and
// /dev/zero, a FIFO, a file over the placeholder cap, and a legitimate
// neighbour.
func hostileDir(tb testing.TB) string {
	tb.Helper()
	root := tb.TempDir()
	dir := filepath.Join(root, "cat")
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	must(os.WriteFile(filepath.Join(root, "secret.txt"), []byte(outsideSecret), 0o600))
	must(os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("fine"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "ok.json"), []byte(`{"a": [1, 2]}`), 0o644))
	must(os.WriteFile(filepath.Join(dir, "big.txt"), bytes.Repeat([]byte("x"), 8192), 0o644))
	must(os.Symlink("../secret.txt", filepath.Join(dir, "secret-link.txt")))
	must(os.Symlink("/proc/self/environ", filepath.Join(dir, "env.txt")))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "zero.txt")))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo.txt"), 0o600))
	return dir
}

var loadSeeds = []string{
	"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, d: {$text: ./ok.txt}}\n",
	"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, d: {$text: /proc/self/environ}}\n",
	"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, d: {$text: ../secret.txt}}\n",
	"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, d: {$json: ./secret-link.txt}}\n",
	"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, d: {$yaml: ./env.txt}}\n",
	"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, d: {$text: ./zero.txt}}\n",
	"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, d: {$text: ./fifo.txt}}\n",
	"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, d: {$text: ./big.txt}}\n",
	"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, d: [{$json: ./ok.json}, {$text: sub/../../secret.txt}]}\n",
	"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, d: {$text: \"file:///etc/passwd\"}}\n",
	"apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l}\nspec: {targets: [./zero.txt, ./fifo.txt, ../secret.txt]}\n",
	"a: &a [*a, *a]\n",
	"x: &x {$text: ./ok.txt}\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, owner: t, lifecycle: x, y: *x, z: *x}\n",
	"---\n--- \n...\n",
	"\x1b]0;title\x07: \x1b[2J\n",
}

// FuzzLoadFiles feeds arbitrary text to the catalog loader as a catalog
// file beside hostileDir's traps. Whatever the input, the load ends
// (nothing blocks on the FIFO or reads /dev/zero), fails only with a
// config error or the context's, and no entity holds the secret from
// outside the folder. Seeds run as a normal test.
// Run: go test ./pkg/catalog -run '^$' -fuzz FuzzLoadFiles -fuzztime 30s
func FuzzLoadFiles(f *testing.F) {
	for _, s := range loadSeeds {
		f.Add([]byte(s))
	}
	dir := hostileDir(f)
	file := filepath.Join(dir, "catalog-info.yaml")
	opts := catalog.LoadOptions{
		FileLimit:        boundedio.Limit{Bytes: 256 << 10, Setting: boundedio.SettingCatalog},
		PlaceholderLimit: boundedio.Limit{Bytes: 4 << 10, Setting: boundedio.SettingInput},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Globs of "**" walk whatever folder the input names (maybe /):
		// correct, but too slow for a fuzz iteration.
		if bytes.Contains(data, []byte("**")) {
			return
		}
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		res, err := catalog.LoadFilesWith(ctx, []string{file}, opts)
		if ctx.Err() != nil {
			t.Fatalf("load did not finish: %v", ctx.Err())
		}
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.KindConfig {
				t.Fatalf("error is not a config error: %T %v", err, err)
			}
			return
		}
		b, err := json.Marshal(res.Entities)
		if err != nil {
			t.Fatalf("entities do not encode: %v", err)
		}
		if bytes.Contains(b, []byte(outsideSecret)) {
			t.Fatalf("an entity holds the secret from outside the catalog folder:\n%s", b)
		}
		for _, p := range res.Problems {
			if bytes.Contains([]byte(p.Message), []byte(outsideSecret)) {
				t.Fatalf("a problem message holds the secret: %s", p)
			}
		}
	})
}
