package ask

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

type streams struct{ in, out, errOut *bytes.Buffer }

func fakeFactory(t *testing.T, p llm.Provider, perr error) (*factory.Factory, streams) {
	t.Helper()
	g := retrievaltest.Examples(t)
	ios, in, out, errOut := iostreams.Test()
	f := &factory.Factory{
		IOStreams: ios,
		Globals:   &factory.GlobalOptions{Output: "text"},
		Catalog:   func(ctx context.Context) (*catalog.Graph, error) { return g, nil },
		LLM: func(cmd string) (llm.Provider, error) {
			if cmd != "ask" {
				t.Errorf("LLM(%q), want ask", cmd)
			}
			return p, perr
		},
	}
	return f, streams{in, out, errOut}
}

func opts(f *factory.Factory, q string) *Options {
	return &Options{Factory: f, Ctx: context.Background(), Question: q, TopK: 5}
}

func TestOfflineText(t *testing.T) {
	f, s := fakeFactory(t, nil, llm.ErrNoModel)
	if err := Run(opts(f, "Who owns the payments API?")); err != nil {
		t.Fatal(err)
	}
	out := s.out.String()
	for _, want := range []string{"Payments Team (`group:default/payments-team`) owns Payments API (`api:default/payments-api`)", "\nSources\n", "#payments-oncall"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if s.errOut.Len() != 0 {
		t.Errorf("stderr: %s", s.errOut)
	}
}

func TestJSONShape(t *testing.T) {
	f, s := fakeFactory(t, nil, llm.ErrNoModel)
	f.Globals.Output = "json"
	if err := Run(opts(f, "What breaks if the ledger database goes down?")); err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(s.out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, s.out)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"answer", "citations", "mode", "question", "retrieved", "usage"}; !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	type retrieved struct {
		Ref   string  `json:"ref"`
		Score float64 `json:"score"`
		Via   string  `json:"via"`
	}
	var ans struct {
		Mode      string         `json:"mode"`
		Citations []string       `json:"citations"`
		Retrieved []retrieved    `json:"retrieved"`
		Usage     map[string]int `json:"usage"`
	}
	json.Unmarshal(s.out.Bytes(), &ans)
	ranked := 0
	for _, r := range ans.Retrieved {
		if r.Via == "" {
			ranked++
		}
	}
	for _, c := range ans.Citations {
		if !slices.ContainsFunc(ans.Retrieved, func(r retrieved) bool { return r.Ref == c }) {
			t.Errorf("citation %s is not in retrieved", c)
		}
	}
	if ans.Mode != "offline" || !slices.Contains(ans.Citations, "component:default/legacy-billing") ||
		ranked != 5 || ans.Retrieved[0].Ref != "resource:default/ledger-db" || ans.Usage["contextTokens"] == 0 {
		t.Errorf("json %s", s.out)
	}
}

func TestNoQuestionWithoutTTYIsUsageError(t *testing.T) {
	f, _ := fakeFactory(t, nil, llm.ErrNoModel)
	err := Run(opts(f, ""))
	if errs.ExitCode(err) != errs.ExitUsage {
		t.Fatalf("err %v, exit %d; want usage (2)", err, errs.ExitCode(err))
	}
}

func TestInteractiveSession(t *testing.T) {
	f, s := fakeFactory(t, nil, llm.ErrNoModel)
	f.IOStreams.SetTTY(true, false, true)
	s.in.WriteString("Who owns the cart service?\nwhat does it depend on?\n")
	if err := Run(opts(f, "")); err != nil { // Ctrl-D (EOF) ends it
		t.Fatal(err)
	}
	if n := strings.Count(s.errOut.String(), "ask> "); n != 3 {
		t.Errorf("%d prompts on stderr, want 3: %q", n, s.errOut)
	}
	out := s.out.String()
	if !strings.Contains(out, "Checkout Team (`group:default/checkout-team`) owns Cart service") || !strings.Contains(out, "`resource:default/cart-cache`") {
		t.Errorf("session output:\n%s", out)
	}
}

func TestShowPromptWithoutModel(t *testing.T) {
	f, s := fakeFactory(t, nil, llm.ErrNoModel)
	o := opts(f, "Who owns the payments API?")
	o.ShowPrompt = true
	if err := Run(o); err != nil {
		t.Fatalf("--show-prompt must exit 0, got %v", err)
	}
	var shown struct {
		Provider string      `json:"provider"`
		Request  llm.Request `json:"request"`
	}
	if err := json.Unmarshal(s.out.Bytes(), &shown); err != nil {
		t.Fatalf("%v\n%s", err, s.out)
	}
	if shown.Provider != "none" || len(shown.Request.Tools) != 0 || !strings.Contains(shown.Request.Messages[1].Content, "[api:default/payments-api]") {
		t.Errorf("shown %s", s.out)
	}
}

func TestShowPromptWithToolsCallsNothing(t *testing.T) {
	srv := llmtest.New(t)
	f, s := fakeFactory(t, srv.Provider(), nil)
	o := opts(f, "Who owns the payments API?")
	o.ShowPrompt = true
	if err := Run(o); err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("%d requests sent", len(srv.Requests()))
	}
	if !strings.Contains(s.out.String(), `"search_catalog"`) || !strings.Contains(s.out.String(), `"provider": "test"`) {
		t.Errorf("agent prompt not shown:\n%s", s.out)
	}
}

func TestLLMModeStreamsWithHybridRetrieval(t *testing.T) {
	srv := llmtest.New(t,
		llmtest.Reply{}, // embeddings of the catalog (one batch)
		llmtest.Reply{}, // embedding of the question
		llmtest.Stream("`group:default/payments-team` owns it; ", "not `group:default/nobody`."))
	f, s := fakeFactory(t, srv.Provider(), nil)
	o := opts(f, "Who owns the payments API?")
	o.AgentSet, o.Agent = true, false
	o.EmbeddingCacheDir = t.TempDir()
	if err := Run(o); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || !strings.HasSuffix(reqs[0].Path, "/embeddings") || len(reqs[0].Input) != 60 || !reqs[2].Stream {
		t.Fatalf("requests: %d", len(reqs))
	}
	out := s.out.String()
	if !strings.HasPrefix(out, "`group:default/payments-team` owns it; not `group:default/nobody`.\n\nSources\n  group:default/payments-team") {
		t.Errorf("output:\n%s", out)
	}
	if strings.Contains(out[strings.Index(out, "Sources"):], "nobody") || !strings.Contains(s.errOut.String(), "group:default/nobody") {
		t.Errorf("unknown ref not flagged: stdout %q stderr %q", out, s.errOut)
	}
}

func TestAgentIsDefaultWithTools(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply{}, llmtest.Reply{},
		llmtest.Text("`group:default/payments-team` owns `api:default/payments-api`."))
	f, s := fakeFactory(t, srv.Provider(), nil)
	f.Globals.Output = "json"
	o := opts(f, "Who owns the payments API?")
	o.EmbeddingCacheDir = t.TempDir()
	if err := Run(o); err != nil {
		t.Fatal(err)
	}
	var ans struct {
		Mode      string         `json:"mode"`
		Citations []string       `json:"citations"`
		Usage     map[string]int `json:"usage"`
	}
	if err := json.Unmarshal(s.out.Bytes(), &ans); err != nil {
		t.Fatal(err)
	}
	if ans.Mode != "agent" || len(ans.Citations) != 2 || ans.Usage["calls"] != 1 || ans.Usage["promptTokens"] != 10 {
		t.Errorf("json %s", s.out)
	}
}

func TestAgentWithoutModelIsUsageError(t *testing.T) {
	f, _ := fakeFactory(t, nil, llm.ErrNoModel)
	o := opts(f, "Who owns the payments API?")
	o.AgentSet, o.Agent = true, true
	if err := Run(o); errs.ExitCode(err) != errs.ExitUsage {
		t.Fatalf("err %v", err)
	}
}

func TestProviderConfigErrorIsReturned(t *testing.T) {
	f, _ := fakeFactory(t, nil, errs.Config("provider %q: no api key", "openai"))
	if err := Run(opts(f, "Who owns the payments API?")); errs.ExitCode(err) != errs.ExitConfig {
		t.Fatalf("err %v", err)
	}
}

func TestFlagsFillOptions(t *testing.T) {
	f, _ := fakeFactory(t, nil, llm.ErrNoModel)
	var got *Options
	cmd := NewCmdAsk(f, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--top-k", "3", "--kind", "group", "--agent=false", "--show-prompt", "Who?"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Question != "Who?" || got.TopK != 3 || got.Kind != "group" || !got.AgentSet || got.Agent || !got.ShowPrompt {
		t.Errorf("options %+v", got)
	}
	cmd = NewCmdAsk(f, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"a", "b"})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err == nil {
		t.Errorf("two arguments accepted")
	}
}

func TestUnknownKindIsUsageError(t *testing.T) {
	f, _ := fakeFactory(t, nil, llm.ErrNoModel)
	o := opts(f, "Who owns the payments API?")
	o.Kind = "widget"
	err := Run(o)
	if errs.ExitCode(err) != errs.ExitUsage || !strings.Contains(errs.HintOf(err), "component") {
		t.Fatalf("err %v hint %q", err, errs.HintOf(err))
	}
}

func TestMarkdownOutput(t *testing.T) {
	f, s := fakeFactory(t, nil, llm.ErrNoModel)
	f.Globals.Output = "md"
	if err := Run(opts(f, "What does the fraud scorer depend on?")); err != nil {
		t.Fatal(err)
	}
	want := "**What does the fraud scorer depend on?**\n\nFraud scorer (`component:default/fraud-scorer`) depends on Feature store (`resource:default/feature-store`).\n\nSources:\n\n- Fraud scorer (`component:default/fraud-scorer`)\n- Feature store (`resource:default/feature-store`)\n"
	if s.out.String() != want {
		t.Errorf("markdown:\n%s", s.out)
	}
}
