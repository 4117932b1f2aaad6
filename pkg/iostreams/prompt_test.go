package iostreams

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestTermPrompter(t *testing.T) {
	var out strings.Builder
	p := &TermPrompter{In: strings.NewReader("yes\nn\n\n"), Out: &out}
	var got []bool
	for i := 0; i < 4; i++ {
		ok, _ := p.Confirm(context.Background(), "Run?")
		got = append(got, ok)
	}
	if fmt.Sprint(got) != "[true false false false]" || strings.Count(out.String(), "[y/N]") != 4 {
		t.Errorf("answers %v, prompts %q", got, out.String())
	}
}

// A cancelled context (Ctrl-C) ends a prompt that is waiting for a line,
// with the context's error, not a "no".
func TestTermPrompterCancel(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	var out strings.Builder
	p := &TermPrompter{In: r, Out: &out}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.Confirm(ctx, "Run?")
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Confirm still waiting after cancel")
	}
	// Already cancelled: no read at all.
	if _, err := p.Confirm(ctx, "Again?"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

func TestTermPrompterChoose(t *testing.T) {
	var out strings.Builder
	p := &TermPrompter{In: strings.NewReader("7\nx\n2\n"), Out: &out}
	i, err := p.Choose(context.Background(), "Which?", []string{"a", "b", "c"})
	if err != nil || i != 1 {
		t.Fatalf("got %d %v", i, err)
	}
	if !strings.Contains(out.String(), "  2) b") || strings.Count(out.String(), "Choose 1-3:") != 3 {
		t.Errorf("output %q", out.String())
	}
	p = &TermPrompter{In: strings.NewReader("0\n9\nq\n"), Out: &out}
	if _, err := p.Choose(context.Background(), "Which?", []string{"a"}); err == nil {
		t.Error("three bad answers should fail")
	}
	p = &TermPrompter{In: strings.NewReader(""), Out: &out}
	if _, err := p.Choose(context.Background(), "Which?", []string{"a"}); !errors.Is(err, io.EOF) {
		t.Errorf("EOF: %v", err)
	}
}
