package root

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xansi "github.com/charmbracelet/x/ansi"

	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

func examplesCatalog(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "examples", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The interactive session on a terminal: line editing and history (the up
// arrow recalls the last question), follow-ups keep the subject, Ctrl-C at
// the prompt drops the line and keeps the session, Ctrl-D exits 0.
func TestAskSessionUnderPTY(t *testing.T) {
	cat := examplesCatalog(t)
	clearEnv(t)
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	p := startPTY(t, 120, "--offline", "--catalog", cat, "ask")
	if !p.waitFor("ask> ", 20*time.Second) {
		t.Fatalf("no prompt:\n%s", p.output())
	}
	plain := func() string { return xansi.Strip(p.output()) }
	const owner = "Checkout Team (group:default/checkout-team) owns Cart service"
	answers := func() int { return strings.Count(plain(), owner) }
	waitAnswers := func(n int, what string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) && answers() < n {
			time.Sleep(20 * time.Millisecond)
		}
		if answers() != n {
			t.Fatalf("%s: %d owner answers, want %d:\n%s", what, answers(), n, plain())
		}
	}

	// Editing: type with a typo, fix it with backspace and left/right.
	p.write("Who owns the cart servixe\x7f\x7fce?\r")
	waitAnswers(1, "first question")

	// A follow-up keeps the subject.
	mark := len(plain())
	p.write("what does it depend on?\r")
	if !p.waitFor("depends on Cart cache", 15*time.Second) {
		t.Fatalf("follow-up lost the subject:\n%s", plain()[mark:])
	}
	p.write("who owns it?\r")
	waitAnswers(2, "who owns it")

	// History: up arrow twice recalls the first question... once is
	// "who owns it?" itself; either answer names the owner.
	p.write("\x1b[A\r")
	waitAnswers(3, "up arrow")
	if !strings.Contains(plain(), "ask> who owns it?") {
		t.Errorf("history line not redrawn:\n%s", plain())
	}

	// Ctrl-C on a half-typed line: the line is dropped, the session stays.
	p.write("something half typ\x03")
	if !p.waitFor("^C", 5*time.Second) {
		t.Fatalf("no ^C echo:\n%s", plain())
	}
	p.write("who owns it?\r")
	waitAnswers(4, "after Ctrl-C at the prompt")

	p.write("\x04")
	if code := p.wait(10 * time.Second); code != 0 {
		t.Fatalf("Ctrl-D: exit %d:\n%s", code, plain())
	}
	if strings.Contains(plain(), "^[[A") {
		t.Errorf("arrow key printed raw:\n%s", plain())
	}
	// History survives the session, readable by the user only.
	hist := filepath.Join(cache, "bsai", "ask-history")
	b, err := os.ReadFile(hist)
	if err != nil || !strings.Contains(string(b), "Who owns the cart service?") {
		t.Errorf("history file %s: %v %q", hist, err, b)
	}
	if st, err := os.Stat(hist); err == nil && st.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, want 0600", st.Mode().Perm())
	}
}

// Ctrl-C while a model answer is streaming cancels that answer only: the
// session prints a new prompt and answers the next question.
func TestAskSessionCtrlCCancelsAnswerOnly(t *testing.T) {
	srv := llmtest.New(t, llmtest.Hanging("The owner is "), llmtest.Text("Second answer: fine."))
	cat := examplesCatalog(t)
	clearEnv(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	writeFile(t, "app-config.yaml", `bsai:
  ai:
    default: local
    providers:
      local: {type: openai-compatible, baseUrl: `+srv.URL+`, apiKey: `+llmtest.APIKey+`, model: test-model, tools: false}
`)
	p := startPTY(t, 120, "--catalog", cat, "ask")
	if !p.waitFor("ask> ", 20*time.Second) {
		t.Fatalf("no prompt:\n%s", p.output())
	}
	p.write("Who owns the cart service?\r")
	if !p.waitFor("The owner is ", 15*time.Second) {
		t.Fatalf("stream did not start:\n%s", p.output())
	}
	p.write("\x03")
	if !p.waitFor("(answer cancelled)", 10*time.Second) {
		t.Fatalf("Ctrl-C did not cancel the answer:\n%s", p.output())
	}
	mark := len(p.output())
	p.write("What does the cart service depend on?\r")
	if !p.waitFor("Second answer: fine.", 15*time.Second) {
		t.Fatalf("session did not go on after Ctrl-C:\n%s", p.output()[mark:])
	}
	p.write("\x04")
	if code := p.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d after Ctrl-D:\n%s", code, p.output())
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d model requests, want 2", n)
	}
}
