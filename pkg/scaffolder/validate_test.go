package scaffolder

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/golden"
	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/output"
)

func newTestValidator(t testing.TB) *Validator {
	t.Helper()
	v, err := NewValidator(nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// genuineBugs are errors the validator reports on published templates that
// are real mistakes, not false positives. Key: file base name + rule + path.
var genuineBugs = map[string]string{
	"redhat-developer__red-hat-developer-hub-software-templates__templates__github__launch-ansible-job__template.yaml|parameter-ref|spec.steps[3].input.repoContentsUrl": "uses parameters.githubOrg but the form field is orgName, so the registered URL is https://github.com//repo/… and (optional) registration silently does nothing",
	"redhat-developer__red-hat-developer-hub-software-templates__templates__github__obc__template.yaml|parameter-ref|spec.steps[2].input.description":                    "uses parameters.description but no page declares it, so the GitOps repository is always created with an empty description",
}

// TestRealTemplates walks every published template: zero false errors.
func TestRealTemplates(t *testing.T) {
	v := newTestValidator(t)
	files, err := CollectFiles([]string{"testdata/real"})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("expected the real-template corpus, found %d files", len(files))
	}
	rep, err := v.ValidatePaths(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	templates := 0
	for _, f := range rep.Files {
		templates += f.Templates
		for _, x := range f.Findings {
			if x.Severity != SevError {
				continue
			}
			key := filepath.Base(f.Path) + "|" + x.Rule + "|" + x.Path
			if _, ok := genuineBugs[key]; !ok {
				t.Errorf("false error? %s:%d:%d %s: %s (%s)", f.Path, x.Line, x.Column, x.Rule, x.Message, x.Path)
			}
			seen[key] = true
		}
	}
	for k, why := range genuineBugs {
		if !seen[k] {
			t.Errorf("expected genuine bug no longer reported: %s (%s)", k, why)
		}
	}
	if templates != len(files) {
		t.Errorf("checked %d templates in %d files", templates, len(files))
	}
}

// TestSeededBugs renders each fixture's findings and compares them with a
// golden file; every rule id must fire somewhere.
func TestSeededBugs(t *testing.T) {
	v := newTestValidator(t)
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no fixtures", err)
	}
	fired := map[string]bool{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rep := &Report{Files: []FileResult{v.ValidateBytes(filepath.Base(file), data)}}
			for _, x := range rep.Files[0].Findings {
				fired[x.Rule] = true
			}
			var buf bytes.Buffer
			if err := WriteText(&buf, rep, output.NewStyles(false)); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata/golden", strings.TrimSuffix(filepath.Base(file), ".yaml")+".txt"), buf.Bytes())
		})
	}
	for rule := range RuleDescriptions {
		if strings.HasPrefix(rule, "mcp-") {
			continue // need bsai's MCP config: cmd/template's CLI tests
		}
		if !fired[rule] {
			t.Errorf("rule %s never fires in testdata/bad", rule)
		}
	}
}

func TestExprParser(t *testing.T) {
	cases := []struct {
		src  string
		refs string // root.seg.seg, comma separated, calls excluded
		bad  bool
	}{
		{src: "parameters.name", refs: "parameters.name"},
		{src: "steps['fetch-base'].output.remoteUrl", refs: "steps.fetch-base.output.remoteUrl"},
		{src: `steps["x"].output["a b"]`, refs: "steps.x.output.a b"},
		{src: "parameters.repoUrl | parseRepoUrl | pick('owner')", refs: "parameters.repoUrl"},
		{src: "parameters.a if parameters.b == 'x' else 'y'", refs: "parameters.a,parameters.b"},
		{src: "not parameters.a and (parameters.b or false)", refs: "parameters.a,parameters.b"},
		{src: "parameters.items[each.key].name", refs: "parameters.items,each.key"},
		{src: "user.entity.metadata.name ~ '-' ~ context.task.id", refs: "user.entity.metadata.name,context.task.id"},
		{src: "parseRepoUrl(parameters.repoUrl).owner", refs: "parameters.repoUrl"},
		{src: "{ 'a': parameters.x, b: [1, 2.5, none] }", refs: "parameters.x,b"},
		{src: "parameters.x is defined and parameters.y is not none", refs: "parameters.x,parameters.y"},
		{src: "'a' in parameters.list", refs: "parameters.list"},
		{src: "parameters.n | default(3, true) * -2 // 1", refs: "parameters.n"},
		{src: "", bad: true},
		{src: "parameters.", bad: true},
		{src: "parameters.x |", bad: true},
		{src: "(parameters.x", bad: true},
		{src: "'unterminated", bad: true},
		{src: "a ? b : c", bad: true},
		{src: "a @ b", bad: true},
		{src: "a && b", bad: true},
		{src: "a || b", bad: true},
		{src: "!a", bad: true},
		{src: "a != b", refs: "a,b"},
	}
	for _, c := range cases {
		refs, err := parseExpr(c.src)
		if c.bad {
			if err == nil {
				t.Errorf("%q: expected a parse error", c.src)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		var got []string
		for _, r := range refs {
			if !r.Call {
				got = append(got, strings.Join(append([]string{r.Root}, r.Segs...), "."))
			}
		}
		sort.Strings(got)
		want := strings.Split(c.refs, ",")
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%q: refs %v, want %v", c.src, got, want)
		}
	}
}

func TestSplitExprsBalance(t *testing.T) {
	got, err := splitExprs("a ${{ x }} b ${{ 'y}}' | f }} c")
	if err != nil || len(got) != 2 || strings.TrimSpace(got[1]) != "'y}}' | f" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := splitExprs("${{ x } "); err == nil {
		t.Fatal("expected unbalanced error")
	}
}

// TestLiveActions: with a backend's action list, an unknown action is an
// error and the backend's input schema is used.
func TestLiveActions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/scaffolder/v2/actions" || r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode([]Action{
			{ID: "debug:log", Schema: ActionSchema{Input: map[string]any{"type": "object", "properties": map[string]any{"message": map[string]any{"type": "string"}}}}},
			{ID: "acme:deploy", Schema: ActionSchema{Input: map[string]any{"type": "object", "required": []any{"env"}, "properties": map[string]any{"env": map[string]any{"type": "string"}}}}},
		})
	}))
	defer srv.Close()
	bs := backstage.New(srv.URL, "s3cret", srv.Client())
	cat, err := LoadCatalogue(context.Background(), ActionsAuto, func() (*backstage.Client, error) { return bs, nil }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !cat.Live || len(cat.IDs()) != 2 {
		t.Fatalf("catalogue %+v", cat.IDs())
	}
	v, _ := NewValidator(cat)
	doc := `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: live}
spec:
  type: service
  steps:
    - {id: a, action: debug:log, input: {message: hi}}
    - {id: b, action: acme:deploy, input: {}}
    - {id: c, action: fetch:plain, input: {url: ./x}}
`
	res := v.ValidateBytes("live.yaml", []byte(doc))
	var got []string
	for _, f := range res.Findings {
		got = append(got, string(f.Severity)+" "+f.Rule+" "+f.Path)
	}
	want := []string{"error action-input spec.steps[1].input", "error action-unknown spec.steps[2].action"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("findings %q, want %q", got, want)
	}
	// auto mode falls back to the built-ins when the backend fails.
	bad := backstage.New(srv.URL, "wrong", srv.Client())
	var warned string
	cat, err = LoadCatalogue(context.Background(), ActionsAuto, func() (*backstage.Client, error) { return bad, nil }, nil, func(s string) { warned = s })
	if err != nil || cat.Live || warned == "" {
		t.Fatalf("fallback: live=%v err=%v warned=%q", cat != nil && cat.Live, err, warned)
	}
	if _, err := LoadCatalogue(context.Background(), ActionsLive, func() (*backstage.Client, error) { return bad, nil }, nil, nil); err == nil {
		t.Fatal("live mode must fail when the backend fails")
	}
}

func TestOutputFormats(t *testing.T) {
	v := newTestValidator(t)
	data, _ := os.ReadFile("testdata/bad/step-refs.yaml")
	rep := &Report{Files: []FileResult{v.ValidateBytes("templates/step-refs.yaml", data)}}
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, rep, "test"); err != nil {
		t.Fatal(err)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &sarif); err != nil {
		t.Fatal(err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != len(rep.Files[0].Findings) || len(rep.Files[0].Findings) < 3 {
		t.Fatalf("sarif: %s", buf.String())
	}
	for _, r := range sarif.Runs[0].Results {
		if sarif.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID || r.Level != "error" ||
			r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "templates/step-refs.yaml" || r.Locations[0].PhysicalLocation.Region.StartLine == 0 {
			t.Errorf("bad sarif result %+v", r)
		}
	}
	buf.Reset()
	if err := WriteGitHub(&buf, rep); err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(buf.String(), "\n", 2)[0]
	if !strings.HasPrefix(first, "::error file=templates/step-refs.yaml,line=20,col=16,title=bsai step-ref::step \"publish\" is referenced before it runs") {
		t.Errorf("github annotation: %s", first)
	}
}

// BenchmarkValidate1000 validates 1,000 templates (the real corpus repeated)
// with all rules, against schema-only validation as the baseline; the
// ratio is reported as a metric.
func BenchmarkValidate1000(b *testing.B) {
	files, _ := CollectFiles([]string{"testdata/real"})
	var inputs [][]byte
	for len(inputs) < 1000 {
		for _, f := range files {
			if len(inputs) == 1000 {
				break
			}
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			inputs = append(inputs, data)
		}
	}
	full := newTestValidator(b)
	base := newTestValidator(b)
	base.SchemaOnly = true
	run := func(v *Validator) {
		for _, in := range inputs {
			v.ValidateBytes("t.yaml", in)
		}
	}
	var fullNs, baseNs, fullCPU, baseCPU int64
	for i := 0; i < b.N; i++ {
		start, startCPU := nowNanos(), cpuNanos()
		run(base)
		mid, midCPU := nowNanos(), cpuNanos()
		run(full)
		end, endCPU := nowNanos(), cpuNanos()
		baseNs += mid - start
		fullNs += end - mid
		baseCPU += midCPU - startCPU
		fullCPU += endCPU - midCPU
	}
	if fullCPU > 0 {
		b.ReportMetric(float64(fullCPU)/float64(b.N)/1e6, "cpu-ms/1000-templates")
		b.ReportMetric(float64(baseCPU)/float64(b.N)/1e6, "cpu-ms/1000-schema-only")
	}
	b.ReportMetric(float64(fullNs)/float64(b.N)/1e6, "ms/1000-templates")
	b.ReportMetric(float64(baseNs)/float64(b.N)/1e6, "ms/1000-schema-only")
	b.ReportMetric(float64(fullNs)/float64(baseNs), "ratio-vs-schema-only")
}

// TestExamplesValid: the shipped Acme templates pass with no finding at all.
func TestExamplesValid(t *testing.T) {
	v := newTestValidator(t)
	files, err := CollectFiles([]string{"../../examples/templates"})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found %d example templates", len(files))
	}
	rep, err := v.ValidatePaths(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Files {
		if f.Templates != 1 {
			t.Errorf("%s: %d templates", f.Path, f.Templates)
		}
		for _, x := range f.Findings {
			t.Errorf("%s:%d: %s %s: %s", f.Path, x.Line, x.Severity, x.Rule, x.Message)
		}
	}
}

// TestNegativeRealTemplates: unsubstituted install-time placeholders and
// retired v1beta2 templates are errors, with the reason.
func TestNegativeRealTemplates(t *testing.T) {
	v := newTestValidator(t)
	files, _ := filepath.Glob("testdata/negative/*.yaml")
	if len(files) < 20 {
		t.Fatalf("found %d negative files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res := v.ValidateBytes(f, data)
		if res.Valid {
			t.Errorf("%s: expected errors", f)
			continue
		}
		first := res.Findings[0]
		switch {
		case strings.Contains(f, "v1beta2") || strings.Contains(f, "bitbucket"):
			if first.Rule != RuleSchema || first.Path != "apiVersion" {
				t.Errorf("%s: %+v", f, first)
			}
		default:
			if first.Rule != RuleYAML || !strings.Contains(first.Message, "placeholder") || first.Line == 0 {
				t.Errorf("%s: %+v", f, first)
			}
		}
	}
}
