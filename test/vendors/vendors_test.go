// Package vendors runs the built bsai binary, as a user would, against
// replays of real model vendors (testdata/vendors, served by
// pkg/llm/vendortest): ask (streamed), ask --agent (tools), template
// generate (structured output with a repair round) and incident
// investigate (synthesis), each through every vendor. The replay server
// refuses what the vendor refuses, so a request bsai should not send fails
// the test.
package vendors

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/llm/vendortest"
)

var bin string

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bsai-vendors-")
	if err != nil {
		panic(err)
	}
	if bin, err = testkit.BsaiBinary(dir); err != nil {
		panic(err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var vendorsUnderTest = []string{"openai", "azure", "anthropic", "gemini", "ollama", "vllm", "lmstudio"}

var model = map[string]string{
	"openai": "gpt-4o-mini", "azure": "chat", "anthropic": "claude-sonnet-4-5", "gemini": "gemini-2.5-flash",
	"ollama": "llama3.2", "vllm": "meta-llama/Llama-3.1-8B-Instruct", "lmstudio": "qwen2.5-7b-instruct",
}

// run runs bsai with the example config plus srv as the provider; it
// returns stdout, stderr and the exit code.
func run(t *testing.T, srv *vendortest.Server, base string, args ...string) (string, string, int) {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "vendor.yaml")
	// No embedding model: these flows test chat; embeddings have their
	// own cells in pkg/llm.
	y := srv.ConfigYAML(model[srv.Vendor]) + "        embeddingModel: none\n"
	if err := os.WriteFile(cfg, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"-c", filepath.Join(root(), base), "-c", cfg, "--refresh"}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "XDG_CACHE_HOME="+t.TempDir(), "HOME="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	code := testkit.ExitCode(t, cmd.Run())
	if strings.Contains(out.String()+errb.String(), vendortest.Key) {
		t.Fatalf("the api key leaked into output")
	}
	return out.String(), errb.String(), code
}

func clean(t *testing.T, srv *vendortest.Server, stderr string) {
	t.Helper()
	for _, r := range srv.Rejections() {
		t.Errorf("%s would refuse the request (%s): %.300s", srv.Profile.Name, r.Rule, r.Raw)
	}
	if n := srv.Remaining(); n > 0 {
		t.Errorf("%d scripted transcripts never requested; stderr:\n%s", n, stderr)
	}
}

type askResult struct {
	Answer    string   `json:"answer"`
	Citations []string `json:"citations"`
	Mode      string   `json:"mode"`
	Usage     struct {
		PromptTokens int `json:"promptTokens"`
		Calls        int `json:"calls"`
		ToolCalls    int `json:"toolCalls"`
	} `json:"usage"`
}

// throughEveryVendor runs bsai with args (on config base) against each
// vendor under test answering with transcripts: the run must exit 0, check
// judges its stdout, and the vendor must have refused nothing and been
// asked for every transcript.
func throughEveryVendor(t *testing.T, transcripts []string, base string, args []string, check func(t *testing.T, out, stderr string)) {
	for _, v := range vendorsUnderTest {
		t.Run(v, func(t *testing.T) {
			srv := vendortest.Start(t, v, transcripts...)
			out, stderr, code := run(t, srv, base, args...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
			}
			check(t, out, stderr)
			clean(t, srv, stderr)
		})
	}
}

// decodeAsk reads ask's -o json answer.
func decodeAsk(t *testing.T, out string) askResult {
	t.Helper()
	var res askResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return res
}

func TestAskThroughEveryVendor(t *testing.T) {
	throughEveryVendor(t, []string{"chat-stream-usage"}, "examples/app-config.yaml",
		[]string{"ask", "--agent=false", "Who owns the payments API?", "-o", "json"}, func(t *testing.T, out, _ string) {
			res := decodeAsk(t, out)
			if res.Mode != "llm" || !strings.Contains(res.Answer, "Payments Team") || !slices.Contains(res.Citations, "group:default/payments-team") {
				t.Fatalf("%+v", res)
			}
			if res.Usage.PromptTokens != 412 {
				t.Fatalf("usage %+v: the vendor's usage chunk was lost", res.Usage)
			}
		})
}

func TestAskAgentThroughEveryVendor(t *testing.T) {
	throughEveryVendor(t, []string{"chat-tool-calls-parallel", "chat-text"}, "examples/app-config.yaml",
		[]string{"ask", "--agent", "Who owns the payments API?", "-o", "json"}, func(t *testing.T, out, stderr string) {
			res := decodeAsk(t, out)
			if res.Mode != "agent" || res.Usage.ToolCalls != 2 || !slices.Contains(res.Citations, "api:default/payments-api") {
				t.Fatalf("%+v\n%s", res, stderr)
			}
		})
}

func TestTemplateGenerateThroughEveryVendor(t *testing.T) {
	throughEveryVendor(t, []string{"chat-template-invalid", "chat-template-object"}, "examples/app-config.yaml",
		[]string{"template", "generate", "a Python FastAPI service published to GitHub", "-o", "json"}, func(t *testing.T, out, _ string) {
			if !strings.Contains(out, "publish:github") || !strings.Contains(out, "python-fastapi-service") {
				t.Fatalf("%s", out)
			}
		})
}

func TestIncidentSynthesisThroughEveryVendor(t *testing.T) {
	alert := filepath.Join(root(), "examples/incidents/bad-deploy/alert.json")
	throughEveryVendor(t, []string{"chat-synthesis-object"}, "examples/incidents/bad-deploy/app-config.yaml",
		[]string{"incident", "investigate", "--alert", alert, "-o", "json"}, func(t *testing.T, out, stderr string) {
			if !strings.Contains(out, "panics in threeds.Verify") {
				t.Fatalf("the model's summary is not in the report:\n%s\n%s", out, stderr)
			}
		})
}
