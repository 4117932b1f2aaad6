//go:build unix

package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// FuzzLoadRealFiles is FuzzLoad on the real file system with the default
// (bounded) reader, beside a FIFO, a link to /dev/zero and a file over the
// cap: $file and $include must refuse the special files and the big one
// with a config error, never block or read without end. Seeds run as a
// normal test.
// Run: go test ./pkg/config -run '^$' -fuzz FuzzLoadRealFiles -fuzztime 30s
func FuzzLoadRealFiles(f *testing.F) {
	for _, s := range []string{
		"a: {$file: ./fifo}\n",
		"a: {$file: ./zero}\n",
		"a: {$file: /dev/zero}\n",
		"a: {$include: ./fifo.yaml}\n",
		"a: {$include: ./zero.yaml}\n",
		"a: {$file: ./big.txt}\n",
		"a: {$file: ./ok.txt}\nb: {$include: ./ok.yaml}\n",
		"a: {$include: ./app-config.yaml}\n",
		"bsai: {limits: {inputBytes: 1}}\na: {$file: ./ok.txt}\n",
		"bsai: 5\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	must := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
	}
	must(syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o600))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "zero")))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")))
	must(os.WriteFile(filepath.Join(dir, "big.txt"), []byte(strings.Repeat("x", 8192)), 0o644))
	must(os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("fine"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "ok.yaml"), []byte("k: v\n"), 0o644))
	file := filepath.Join(dir, "app-config.yaml")
	env := []string{"APP_CONFIG_bsai_limits_inputBytes=4KiB"}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			c, err := Load(LoadOptions{Files: []string{file}, Env: env})
			if err == nil {
				err = c.Check()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				var e *errs.Error
				if !errors.As(err, &e) || e.Kind != errs.KindConfig {
					t.Fatalf("error is not a config error: %T %v", err, err)
				}
			}
		case <-ctx.Done():
			t.Fatal("config load did not finish")
		}
	})
}
