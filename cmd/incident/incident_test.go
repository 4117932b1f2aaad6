package incident_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/cmd/factory/factorytest"
	incidentcmd "github.com/bsai-dev/bsai/cmd/incident"
	"github.com/bsai-dev/bsai/cmd/root"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

func newFactory(t *testing.T) (*factory.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	factorytest.Isolate(t)
	f, _, out, errOut := factorytest.New()
	f.Now = func() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) }
	return f, out, errOut
}

func execute(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	f, out, errOut := newFactory(t)
	code := root.Execute(context.Background(), f, args)
	return out.String(), errOut.String(), code
}

// TestScenariosThroughCLI replays every examples/incidents folder exactly as
// the README shows: -c app-config.yaml incident investigate --alert
// alert.json --offline -o json, and checks expected.yaml's top.
func TestScenariosThroughCLI(t *testing.T) {
	dirs, _ := filepath.Glob("../../examples/incidents/*/expected.yaml")
	if len(dirs) < 5 {
		t.Fatalf("want at least 5 scenarios, got %d", len(dirs))
	}
	for _, p := range dirs {
		dir := filepath.Dir(p)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var exp struct{ Top, Why string }
			b, _ := os.ReadFile(p)
			if err := yaml.Unmarshal(b, &exp); err != nil {
				t.Fatal(err)
			}
			out, stderr, code := execute(t, "-c", filepath.Join(dir, "app-config.yaml"), "incident", "investigate",
				"--alert", filepath.Join(dir, "alert.json"), "--offline", "-o", "json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var rep struct {
				Summary  string
				Affected []string
				Owners   []string
				Onset    *time.Time
				Causes   []json.RawMessage
				Plan     []struct {
					Action            string
					Reason            string
					NeedsConfirmation bool
				}
				Actions []struct{ Action, Status string }
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("not json: %v\n%s", err, out)
			}
			if len(rep.Causes) == 0 || !strings.Contains(string(rep.Causes[0]), exp.Top) {
				t.Fatalf("top cause should mention %q (%s); causes: %s", exp.Top, exp.Why, out)
			}
			if rep.Onset == nil || len(rep.Affected) == 0 || len(rep.Owners) == 0 || rep.Summary == "" {
				t.Errorf("incomplete report: %s", out)
			}
			// No TTY: co-pilot proposes but never executes.
			for _, a := range rep.Actions {
				if a.Status != "skipped" {
					t.Errorf("action %s ran without a terminal: %s", a.Action, a.Status)
				}
			}
			for _, p := range rep.Plan {
				if !p.NeedsConfirmation {
					t.Errorf("co-pilot plan item %s does not need confirmation", p.Action)
				}
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	cfg := "../../examples/incidents/bad-deploy/app-config.yaml"
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"hello":1}`), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"nothing", []string{"incident", "investigate"}, errs.ExitUsage, "nothing to investigate"},
		{"mode", []string{"incident", "investigate", "--service", "payments-api", "--mode", "yolo"}, errs.ExitUsage, "unknown mode"},
		{"at", []string{"incident", "investigate", "--service", "payments-api", "--at", "yesterday"}, errs.ExitUsage, "invalid --at"},
		{"alert file", []string{"incident", "investigate", "--alert", "/nonexistent/alert.json"}, errs.ExitUsage, "read alert"},
		{"alert shape", []string{"incident", "investigate", "--alert", bad}, errs.ExitValidation, "invalid alert"},
		{"unknown service", []string{"incident", "investigate", "--service", "no-such-thing"}, errs.ExitUsage, "not in the catalog"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := execute(t, append([]string{"-c", cfg, "--offline"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) || !strings.Contains(stderr, "hint:") {
				t.Errorf("exit %d (want %d), stderr %q (want %q and a hint)", code, tc.code, stderr, tc.msg)
			}
		})
	}
}

func TestServiceWithAtReplay(t *testing.T) {
	// --service and --at without an alert: onset comes from the metrics.
	out, stderr, code := execute(t, "-c", "../../examples/incidents/failing-dependency/app-config.yaml", "--offline",
		"incident", "investigate", "--service", "payments-api", "--at", "2026-03-14T14:30:00Z", "--since", "2h", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		OnsetSource string
		Causes      []struct{ Entity string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.OnsetSource != "metrics" || len(rep.Causes) == 0 || rep.Causes[0].Entity != "component:default/fraud-scorer" {
		t.Errorf("onset source %q, causes %+v", rep.OnsetSource, rep.Causes)
	}
}

func TestRunFReceivesFlags(t *testing.T) {
	f, _, _ := newFactory(t)
	var got *incidentcmd.InvestigateOptions
	cmd := incidentcmd.NewCmdInvestigate(f, func(o *incidentcmd.InvestigateOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--service", "x", "--alert", "-", "--since", "90m", "--mode", "agent", "--dry-run", "--max-actions", "2"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Service != "x" || got.Alert != "-" || got.Since != 90*time.Minute || got.Mode != "agent" || !got.DryRun || got.MaxActions != 2 {
		t.Errorf("options %+v", got)
	}
}

func TestAgentDryRunThroughCLI(t *testing.T) {
	state := t.TempDir()
	f, out, errOut := newFactory(t)
	t.Setenv("XDG_STATE_HOME", state)
	cmd := root.NewCmdRoot(f)
	dir := "../../examples/incidents/bad-deploy"
	cmd.SetArgs([]string{"-c", dir + "/app-config.yaml", "--offline", "incident", "investigate", "--alert", "-",
		"--mode", "agent", "--dry-run", "-o", "json"})
	alert, _ := os.ReadFile(dir + "/alert.json")
	f.IOStreams.In = bytes.NewReader(alert)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	var rep struct {
		Actions []struct{ Action, Status string }
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range rep.Actions {
		got[a.Action] = a.Status
	}
	// The scenario allows only notify-channel; rollback is refused even in a dry run.
	if got["notify-channel"] != "dry-run" || got["rollback"] != "refused" {
		t.Errorf("actions %v", got)
	}
	audit, err := os.ReadFile(filepath.Join(state, "bsai", "incident-audit.jsonl"))
	if err != nil || strings.Count(string(audit), "\n") != 2 || strings.Contains(string(audit), "XXXX") {
		t.Errorf("audit log (%v): %s", err, audit)
	}
}

// TestModelThroughCLI: a configured provider (the llmtest server) gets the
// evidence pack; its synthesis shows up next to the deterministic ranking,
// with usage, and the API key never appears in the output.
func TestModelThroughCLI(t *testing.T) {
	dir := "../../examples/incidents/failing-dependency"
	offline, stderr, code := execute(t, "-c", dir+"/app-config.yaml", "--offline", "incident", "investigate",
		"--alert", dir+"/alert.json", "-o", "json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var off struct {
		Causes []struct {
			Title    string
			Evidence []struct{ ID string }
		}
	}
	json.Unmarshal([]byte(offline), &off)
	id := off.Causes[0].Evidence[0].ID
	srv := llmtest.New(t, llmtest.Text(`{"summary":"fraud-scorer is timing out on the feature store; payments-api relays it.",
	  "causes":[{"title":"fraud-scorer feature-store timeouts","reasoning":"errors rose first","confidence":0.8,"evidence":["`+id+`","ghost-1"]}],
	  "plan":[{"action":"page-owner","reason":"page payments on-call"},{"action":"scale-up","reason":"more replicas"}]}`))
	over := filepath.Join(t.TempDir(), "model.yaml")
	os.WriteFile(over, []byte("bsai:\n"+srv.AIConfig(llmtest.APIKey)), 0o600)
	out, stderr, code := execute(t, "-c", dir+"/app-config.yaml", "-c", over, "incident", "investigate",
		"--alert", dir+"/alert.json", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(out+stderr, llmtest.APIKey) {
		t.Fatal("api key leaked into the output")
	}
	var rep struct {
		Summary string
		Causes  []struct{ Title string }
		Model   *struct {
			Causes  []struct{ Evidence []string }
			Dropped []string
		}
		Plan []struct {
			Action, Refused, ProposedBy string
			NeedsConfirmation           bool
		}
		Usage *struct{ Calls int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Model == nil || len(rep.Model.Causes) != 1 || len(rep.Model.Dropped) != 1 || rep.Usage == nil || rep.Usage.Calls != 1 {
		t.Fatalf("model view %+v usage %+v", rep.Model, rep.Usage)
	}
	if rep.Causes[0].Title != off.Causes[0].Title {
		t.Errorf("deterministic ranking changed under a model")
	}
	for _, p := range rep.Plan {
		if p.Action == "scale-up" && (p.Refused == "" || p.ProposedBy != "model") {
			t.Errorf("unconfigured model action not refused: %+v", p)
		}
	}
}

// TestCopilotOnTerminal: the report is printed first, then each action is
// asked about on stderr; only the yes runs.
func TestCopilotOnTerminal(t *testing.T) {
	var posts atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { posts.Add(1) }))
	defer hook.Close()
	dir := "../../examples/incidents/bad-deploy"
	over := filepath.Join(t.TempDir(), "hook.yaml")
	os.WriteFile(over, []byte("bsai:\n  incident:\n    actions:\n      notify-channel:\n        url: "+hook.URL+"\n"), 0o600)
	f, out, errOut := newFactory(t)
	f.IOStreams.SetTTY(true, true, true)
	f.IOStreams.DisableColor()
	f.IOStreams.In = strings.NewReader("y\nn\n")
	cmd := root.NewCmdRoot(f)
	cmd.SetArgs([]string{"-c", dir + "/app-config.yaml", "-c", over, "--offline", "incident", "investigate", "--alert", dir + "/alert.json"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("webhook posts %d, want 1", n)
	}
	if strings.Count(errOut.String(), "[y/N]") != 2 {
		t.Errorf("prompts: %q", errOut.String())
	}
	o := out.String()
	plan, acts := strings.Index(o, "\nPlan\n"), strings.Index(o, "\nActions\n")
	if plan < 0 || acts < plan || !strings.Contains(o[acts:], "notify-channel: executed") || !strings.Contains(o[acts:], "rollback: declined") {
		t.Errorf("output:\n%s", o)
	}
}
