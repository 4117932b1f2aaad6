package errs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"testing"
)

func TestConstructorsKeepChain(t *testing.T) {
	base := &fs.PathError{Op: "open", Path: "x.yaml", Err: fs.ErrNotExist}
	ctors := map[Kind]func(string, ...any) *Error{
		KindUsage: Usage, KindConfig: Config, KindValidation: Validation,
		KindNotFound: NotFound, KindUpstream: Upstream, KindFailure: Failure,
	}
	for k, ctor := range ctors {
		e := ctor("read config %s: %w", "x.yaml", base)
		if e.Kind != k {
			t.Errorf("kind %d: got %d", k, e.Kind)
		}
		if want := "read config x.yaml: open x.yaml: file does not exist"; e.Error() != want {
			t.Errorf("kind %d: message %q, want %q", k, e.Error(), want)
		}
		if !errors.Is(e, fs.ErrNotExist) {
			t.Errorf("kind %d: errors.Is lost the cause", k)
		}
		var pe *fs.PathError
		if !errors.As(e, &pe) || pe.Path != "x.yaml" {
			t.Errorf("kind %d: errors.As lost the *fs.PathError", k)
		}
		// Wrapped again by a caller, the kind still decides the exit code.
		if got := KindOf(fmt.Errorf("outer: %w", e)); got != k {
			t.Errorf("kind %d: KindOf through fmt wrapping = %d", k, got)
		}
	}
}

func TestConstructorWithoutWrap(t *testing.T) {
	e := Usage("unknown output format %q", "xml")
	if e.Error() != `unknown output format "xml"` {
		t.Errorf("message %q", e.Error())
	}
	if e.Unwrap() != nil {
		t.Errorf("no %%w: Unwrap should be nil, got %v", e.Unwrap())
	}
}

// Two %w verbs make fmt.Errorf return an error with Unwrap() []error;
// both causes must stay reachable.
func TestConstructorTwoWraps(t *testing.T) {
	a, b := errors.New("first"), fs.ErrPermission
	e := Upstream("both: %w; %w", a, b)
	if e.Error() != "both: first; permission denied" {
		t.Errorf("message %q", e.Error())
	}
	if !errors.Is(e, a) || !errors.Is(e, b) {
		t.Errorf("errors.Is lost a cause of a two-%%w error: a=%v b=%v", errors.Is(e, a), errors.Is(e, b))
	}
	hinted := Config("bad token").WithHint("set --token")
	if got := HintOf(Failure("x: %w; %w", a, hinted)); got != "set --token" {
		t.Errorf("HintOf through a two-%%w error = %q", got)
	}
}

func TestWrap(t *testing.T) {
	if Wrap(KindConfig, nil, "h") != nil {
		t.Fatal("Wrap(nil) must be nil")
	}
	e := Wrap(KindConfig, os.ErrNotExist, "create one with bsai config init")
	if e.Error() != os.ErrNotExist.Error() {
		t.Errorf("Wrap message %q: want the cause's", e.Error())
	}
	if !errors.Is(e, os.ErrNotExist) || KindOf(e) != KindConfig || HintOf(e) != "create one with bsai config init" {
		t.Errorf("Wrap lost chain, kind or hint: %v %v %q", errors.Is(e, os.ErrNotExist), KindOf(e), HintOf(e))
	}
}

func TestKindOf(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, KindFailure},
		{"plain", errors.New("boom"), KindFailure},
		{"canceled", context.Canceled, KindInterrupted},
		{"ctx.Err", ctx.Err(), KindInterrupted},
		{"canceled wrapped by fmt", fmt.Errorf("list entities: %w", context.Canceled), KindInterrupted},
		// Ctrl-C during a request that a package reported as an upstream
		// failure is still an interrupt (exit 130), not exit 1.
		{"canceled inside upstream", Upstream("decode reply: %w", context.Canceled), KindInterrupted},
		{"deadline is not an interrupt", context.DeadlineExceeded, KindFailure},
		{"explicit kind", Validation("3 findings"), KindValidation},
		{"explicit kind wrapped", fmt.Errorf("generate: %w", NotFound("template x")), KindNotFound},
	}
	for _, c := range cases {
		if got := KindOf(c.err); got != c.want {
			t.Errorf("%s: KindOf = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestHintOf(t *testing.T) {
	if HintOf(nil) != "" || HintOf(errors.New("x")) != "" {
		t.Fatal("no hint expected")
	}
	inner := Config("token rejected").WithHint("set %s", "BACKSTAGE_TOKEN")
	outer := Upstream("load catalog: %w", inner) // no hint of its own
	wrapped := fmt.Errorf("run: %w", outer)
	if got := HintOf(wrapped); got != "set BACKSTAGE_TOKEN" {
		t.Errorf("HintOf through wrapping = %q", got)
	}
	// The outermost hint wins: it was written closest to the user's action.
	top := Failure("generate: %w", inner).WithHint("outer hint")
	if got := HintOf(fmt.Errorf("x: %w", top)); got != "outer hint" {
		t.Errorf("HintOf = %q, want the outer hint", got)
	}
}

func TestIsSilent(t *testing.T) {
	e := Validation("2 findings").Silenced()
	if !IsSilent(e) || !IsSilent(fmt.Errorf("x: %w", e)) {
		t.Error("silenced error not reported as silent")
	}
	if IsSilent(Validation("2 findings")) || IsSilent(errors.New("x")) || IsSilent(nil) {
		t.Error("non-silenced error reported as silent")
	}
	if ExitCode(e) != ExitValidation {
		t.Errorf("silent validation exit code %d", ExitCode(e))
	}
}

func TestExitCode(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("x"), 1},
		{Failure("x"), 1},
		{Usage("x"), 2},
		{Validation("x"), 3},
		{Config("x"), 4},
		{NotFound("x"), 1},
		{Upstream("x"), 1},
		{Wrap(KindInterrupted, errors.New("x"), ""), 130},
		{context.Canceled, 130},
		{fmt.Errorf("a: %w", Config("b")), 4},
	}
	for _, c := range cases {
		if got := ExitCode(c.err); got != c.want {
			t.Errorf("ExitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
	// The documented numbers themselves.
	if ExitOK != 0 || ExitFailure != 1 || ExitUsage != 2 || ExitValidation != 3 || ExitConfig != 4 || ExitInterrupted != 130 {
		t.Error("exit code constants changed; the README documents them")
	}
}

func TestWithHintFormats(t *testing.T) {
	e := NotFound("entity %s", "component:default/x").WithHint("did you mean %q?", "component:default/y")
	if e.Hint != `did you mean "component:default/y"?` {
		t.Errorf("hint %q", e.Hint)
	}
}
