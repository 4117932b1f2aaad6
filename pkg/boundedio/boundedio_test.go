package boundedio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/errs"
)

func TestReadFileUnderAndOverCap(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(p, bytes.Repeat([]byte("x"), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(context.Background(), p, Limit{Bytes: 1000, Setting: "k.x"})
	if err != nil || len(b) != 1000 {
		t.Fatalf("at the cap: %d bytes, %v", len(b), err)
	}
	_, err = ReadFile(context.Background(), p, Limit{Bytes: 999, Setting: "k.x"})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the cap: %v", err)
	}
	for _, want := range []string{"999 B", "k.x", "APP_CONFIG_k_x"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if errs.ExitCode(err) != errs.ExitUsage {
		t.Errorf("exit code %d, want %d", errs.ExitCode(err), errs.ExitUsage)
	}
}

// /proc files report size 0 but have content: the size check must not
// be the only one, nor refuse them.
func TestReadFileProcSizeZero(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	b, err := ReadFile(context.Background(), "/proc/self/status", Input())
	if err != nil || len(b) == 0 {
		t.Fatalf("read /proc/self/status: %d bytes, %v", len(b), err)
	}
	_, err = ReadFile(context.Background(), "/proc/self/status", Limit{Bytes: 10})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("size-0 file over the cap: %v", err)
	}
}

// countingReader is endless, like /dev/zero or `yes` on stdin.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'y'
	}
	c.n += int64(len(p))
	return len(p), nil
}

func TestReadAllStopsNearCap(t *testing.T) {
	r := &countingReader{}
	lim := Limit{Bytes: 1 << 20, Setting: SettingInput}
	_, err := ReadAll(context.Background(), r, "stdin", lim)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "stdin is larger than the 1.0 MiB limit") {
		t.Fatalf("endless reader: %v", err)
	}
	if r.n > lim.Bytes+chunk {
		t.Errorf("read %d bytes for a %d cap: the read did not stop at the cap", r.n, lim.Bytes)
	}
}

func TestReadAllUnderCap(t *testing.T) {
	want := strings.Repeat("abc", 100_000)
	b, err := ReadAll(context.Background(), strings.NewReader(want), "stdin", Input())
	if err != nil || string(b) != want {
		t.Fatalf("got %d bytes, %v", len(b), err)
	}
	b, err = ReadAll(context.Background(), strings.NewReader(""), "stdin", Input())
	if err != nil || len(b) != 0 {
		t.Fatalf("empty: %q, %v", b, err)
	}
}

// A Read that never returns (stdin nobody writes to) must not keep bsai
// from stopping on Ctrl-C.
func TestReadAllObeysCancel(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := ReadAll(ctx, pr, "stdin", Input())
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || errs.ExitCode(err) != errs.ExitInterrupted {
			t.Fatalf("cancelled read: %v (exit %d)", err, errs.ExitCode(err))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadAll did not return after cancel")
	}
}
