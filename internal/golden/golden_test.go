package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeT records failures instead of failing the real test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }
func (f *fakeT) Fatal(...any)          { f.failed = true }

func TestCheck(t *testing.T) {
	p := filepath.Join(t.TempDir(), "testdata", "x.golden")
	ft := &fakeT{TB: t}
	Check(ft, p, []byte("a\n"))
	if !ft.failed {
		t.Fatal("a missing golden file must fail")
	}
	*update = true
	ft = &fakeT{TB: t}
	Check(ft, p, []byte("a\n"))
	*update = false
	if ft.failed {
		t.Fatal("-update must write and pass")
	}
	if b, _ := os.ReadFile(p); string(b) != "a\n" {
		t.Fatalf("written %q", b)
	}
	ft = &fakeT{TB: t}
	Check(ft, p, []byte("a\n"))
	if ft.failed {
		t.Fatal("equal output must pass")
	}
	ft = &fakeT{TB: t}
	Check(ft, p, []byte("b\n"))
	if !ft.failed {
		t.Fatal("different output must fail")
	}
}
