package ask_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/cmd/factory/factorytest"
	"github.com/bsai-dev/bsai/cmd/root"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

// run executes the real command tree (real factory, config loading, files
// catalog source, provider registry) with test streams.
func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	f, _, out, errOut := factorytest.New()
	cmd := root.NewCmdRoot(f)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	err = cmd.ExecuteContext(context.Background())
	f.Close()
	return out.String(), errOut.String(), err
}

func TestEndToEndOfflineWithExampleConfig(t *testing.T) {
	cfg := filepath.Join(retrievaltest.RepoRoot(t), "examples", "app-config.yaml")
	out, _, err := run(t, "-c", cfg, "ask", "Who owns the payments API?")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "Payments Team (`group:default/payments-team`) owns Payments API (`api:default/payments-api`)") {
		t.Errorf("stdout:\n%s", out)
	}
}

func TestEndToEndWithConfiguredModel(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache) // os.UserCacheDir on Linux
	t.Setenv("HOME", t.TempDir())
	srv := llmtest.New(t,
		llmtest.Reply{}, // embed the catalog
		llmtest.Reply{}, // embed the question
		llmtest.Stream("The `group:default/payments-team` ", "owns `api:default/payments-api`."))
	dir := t.TempDir()
	catalogFile := filepath.Join(retrievaltest.RepoRoot(t), "examples", "catalog", "catalog-info.yaml")
	cfg := filepath.Join(dir, "app-config.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`bsai:
  catalog:
    source: files
    files: [%q]
%s`, catalogFile, srv.AIConfig(llmtest.APIKey, "embeddingModel: "+llmtest.EmbeddingModel))), 0o600)

	out, errOut, err := run(t, "-c", cfg, "-o", "json", "ask", "--agent=false", "Who owns the payments API?")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var ans struct {
		Mode      string         `json:"mode"`
		Answer    string         `json:"answer"`
		Citations []string       `json:"citations"`
		Usage     map[string]int `json:"usage"`
	}
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if ans.Mode != "llm" || len(ans.Citations) != 2 || ans.Usage["calls"] != 1 {
		t.Errorf("answer %s", out)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[0].Model != "test-embedding" || reqs[2].Model != "test-model" {
		t.Errorf("%d requests", len(reqs))
	}
	if strings.Contains(out+errOut, llmtest.APIKey) {
		t.Errorf("api key leaked")
	}
	entries, _ := filepath.Glob(filepath.Join(cache, "bsai", "embeddings", "*"))
	if len(entries) != 1 {
		t.Errorf("embedding cache files: %v", entries)
	}

	// The vectors are cached: a second process embeds only the question.
	srv.Add(llmtest.Reply{}, llmtest.Stream("`group:default/payments-team`."))
	if _, errOut, err := run(t, "-c", cfg, "ask", "--agent=false", "Who owns the payments API?"); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	reqs = srv.Requests()[3:]
	if len(reqs) != 2 || len(reqs[0].Input) != 1 {
		t.Errorf("second run sent %d requests, first with %d inputs", len(reqs), len(reqs[0].Input))
	}
}

func TestEndToEndAskConfigBlock(t *testing.T) {
	dir := t.TempDir()
	catalogFile := filepath.Join(retrievaltest.RepoRoot(t), "examples", "catalog", "catalog-info.yaml")
	cfg := filepath.Join(dir, "app-config.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("bsai:\n  catalog:\n    files: [%q]\n  ask:\n    topK: 2\n", catalogFile)), 0o600)
	out, errOut, err := run(t, "-c", cfg, "-o", "json", "ask", "Who owns the payments API?")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	// Ranked hits are topK; entities the answer reached through a relation
	// follow with via "relation".
	ranked := func(out string) int {
		var ans struct {
			Retrieved []struct {
				Via string `json:"via"`
			} `json:"retrieved"`
		}
		json.Unmarshal([]byte(out), &ans)
		n := 0
		for _, r := range ans.Retrieved {
			if r.Via == "" {
				n++
			}
		}
		return n
	}
	if ranked(out) != 2 {
		t.Errorf("bsai.ask.topK ignored: %s", out)
	}
	out, _, _ = run(t, "-c", cfg, "-o", "json", "ask", "--top-k", "4", "Who owns the payments API?")
	if ranked(out) != 4 {
		t.Errorf("--top-k does not win over config: %s", out)
	}

	os.WriteFile(cfg, []byte("bsai:\n  ask:\n    topK: many\n"), 0o600)
	if _, _, err := run(t, "-c", cfg, "ask", "Who owns the payments API?"); err == nil || !strings.Contains(err.Error(), "bsai.ask.topK") {
		t.Errorf("bad config value: %v", err)
	}
}
