package scaffolder

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

// exampleTemplates loads examples/templates as catalog entities.
func exampleTemplates(t *testing.T) []*catalog.Entity {
	t.Helper()
	files, err := filepath.Glob("../../examples/templates/*/template.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no example templates", err)
	}
	var out []*catalog.Entity
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := ParseDocs(data)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(docs[0].Value)
		var e catalog.Entity
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, &e)
	}
	return out
}

func TestOfflineDraftPicksClosest(t *testing.T) {
	cands := exampleTemplates(t)
	cases := map[string]string{
		"Node.js typescript service for checkout webhooks": "template:default/acme-node-service",
		"Go service for payment reconciliation":            "template:default/acme-go-service",
		"Roll back a broken release of a service":          "template:default/acme-rollback-release",
		"TechDocs documentation site for the data team":    "template:default/acme-docs-site",
	}
	for desc, want := range cases {
		res, err := Generate(context.Background(), GenerateOptions{Description: desc, Candidates: cands, Owner: "group:default/identity-team"})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Citations.ReferenceTemplates; len(got) != 1 || got[0] != want {
			t.Errorf("%q: picked %v, want %s", desc, got, want)
		}
		if !res.Valid || res.Mode != "offline" {
			t.Errorf("%q: valid=%v mode=%s errors=%v", desc, res.Valid, res.Mode, res.Errors)
		}
		md := asMap(res.Template["metadata"])
		if md["name"] != draftName(desc) || !ValidName(md["name"].(string)) || md["description"] != desc {
			t.Errorf("%q: metadata %v", desc, md)
		}
		if asMap(res.Template["spec"])["owner"] != "group:default/identity-team" {
			t.Errorf("%q: owner not applied", desc)
		}
		if !strings.HasPrefix(res.YAML, "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: ") {
			t.Errorf("%q: key order:\n%s", desc, res.YAML)
		}
		// The rendered YAML must pass validate itself.
		if r := newTestValidator(t).ValidateBytes("gen.yaml", []byte(res.YAML)); !r.Valid {
			t.Errorf("%q: rendered YAML invalid: %v", desc, r.Findings)
		}
	}
	// No candidates at all: a minimal, valid template.
	res, err := Generate(context.Background(), GenerateOptions{Description: "anything"})
	if err != nil || !res.Valid || len(res.Notes) == 0 {
		t.Fatalf("minimal draft: %+v %v", res, err)
	}
}

// modelTemplate is a valid template as a model would return it.
func modelTemplate(steps ...map[string]any) map[string]any {
	if len(steps) == 0 {
		steps = []map[string]any{
			{"id": "log", "name": "Log", "action": "debug:log", "input": map[string]any{"message": "hello ${{ parameters.name }}"}},
			{"id": "wait", "name": "Wait", "action": "debug:wait", "input": map[string]any{"seconds": 1}},
		}
	}
	ss := make([]any, len(steps))
	for i, s := range steps {
		ss[i] = s
	}
	return map[string]any{
		"apiVersion": "scaffolder.backstage.io/v1beta3",
		"kind":       "Template",
		"metadata":   map[string]any{"name": "hello-runbook", "title": "Hello runbook", "description": "Says hello"},
		"spec": map[string]any{
			"owner": "group:default/sre-team",
			"type":  "runbook",
			"parameters": []any{map[string]any{
				"title": "Who", "required": []any{"name"},
				"properties": map[string]any{"name": map[string]any{"type": "string", "title": "Name"}},
			}},
			"steps": ss,
		},
	}
}

func TestGenerateWithModelValidFirstTime(t *testing.T) {
	srv := llmtest.New(t, llmtest.JSON(modelTemplate()).WithUsage(100, 50))
	res, err := Generate(context.Background(), GenerateOptions{Description: "say hello", Provider: srv.Provider(), Refs: exampleTemplates(t)[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid || res.Repairs != 0 || res.Mode != "model" || res.Usage.PromptTokens != 100 {
		t.Fatalf("result: valid=%v repairs=%d usage=%+v errors=%v", res.Valid, res.Repairs, res.Usage, res.Errors)
	}
	if strings.Join(res.Citations.ActionsUsed, ",") != "debug:log,debug:wait" || len(res.Citations.ReferenceTemplates) != 1 {
		t.Errorf("citations %+v", res.Citations)
	}
	req := srv.Last()
	if req.ResponseFormat == nil || !strings.Contains(string(req.ResponseFormat.Schema), `"publish:github"`) {
		t.Fatalf("response format lacks the action enum: %+v", req.ResponseFormat)
	}
	sys := req.System()
	for _, want := range []string{"fetch:template", "input schema:", "${{ parameters.name }}"} {
		if !strings.Contains(sys, want) {
			t.Errorf("system prompt lacks %q", want)
		}
	}
	if !strings.Contains(req.LastUser(), "acme-") {
		t.Errorf("user prompt lacks the reference template")
	}
}

func TestGenerateInvalidActionRepaired(t *testing.T) {
	bad := modelTemplate(map[string]any{"id": "x", "name": "X", "action": "deploy:magic", "input": map[string]any{}})
	srv := llmtest.New(t, llmtest.JSON(bad), llmtest.JSON(modelTemplate()))
	res, err := Generate(context.Background(), GenerateOptions{Description: "say hello", Provider: srv.Provider()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid || len(srv.Requests()) != 2 {
		t.Fatalf("valid=%v requests=%d errors=%v", res.Valid, len(srv.Requests()), res.Errors)
	}
	msgs := srv.Last().Messages
	if last := msgs[len(msgs)-1].Content; !strings.Contains(last, "/spec/steps/0/action") || !strings.Contains(last, "'debug:log'") {
		t.Errorf("repair request does not point at the bad action:\n%s", last)
	}
}

func TestGenerateBadStepRefRepaired(t *testing.T) {
	bad := modelTemplate(
		map[string]any{"id": "log", "name": "Log", "action": "debug:log", "input": map[string]any{"message": "${{ steps['wait'].output.x }}"}},
		map[string]any{"id": "wait", "name": "Wait", "action": "debug:wait", "input": map[string]any{"seconds": 1}},
	)
	srv := llmtest.New(t, llmtest.JSON(bad), llmtest.JSON(modelTemplate()))
	res, err := Generate(context.Background(), GenerateOptions{Description: "say hello", Provider: srv.Provider()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid || res.Repairs != 1 {
		t.Fatalf("valid=%v repairs=%d errors=%v", res.Valid, res.Repairs, res.Errors)
	}
	repair := srv.Last().LastUser()
	if !strings.Contains(repair, "step-ref") || !strings.Contains(repair, "spec.steps[0].input.message") {
		t.Errorf("repair prompt lacks the finding:\n%s", repair)
	}
}

func TestGenerateRepairBudgetExhausted(t *testing.T) {
	bad := modelTemplate(map[string]any{"id": "log", "name": "Log", "action": "debug:log", "input": map[string]any{"message": "${{ parameters.nope }}"}})
	srv := llmtest.New(t, llmtest.JSON(bad), llmtest.JSON(bad))
	res, err := Generate(context.Background(), GenerateOptions{Description: "say hello", Provider: srv.Provider(), MaxRepairs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || res.Repairs != 1 || len(res.Errors) != 1 || res.Errors[0].Rule != RuleParamRef || len(srv.Requests()) != 2 {
		t.Fatalf("valid=%v repairs=%d errors=%v requests=%d", res.Valid, res.Repairs, res.Errors, len(srv.Requests()))
	}
}

func TestOutputSchemaCompiles(t *testing.T) {
	cat, _ := NewBuiltinCatalogue(nil)
	s, err := OutputSchema(cat)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(s), `"$ref"`) {
		t.Error("output schema must be self-contained")
	}
}

// With a model, the composed draft is in the request (the model improves
// it), its notes stand, and a team the request names that the catalog has
// becomes spec.owner whatever the model replies.
func TestGenerateWithModelImprovesComposedDraft(t *testing.T) {
	srv := llmtest.New(t, llmtest.JSON(modelTemplate()))
	groups := []*catalog.Entity{{APIVersion: "backstage.io/v1alpha1", Kind: "Group", Metadata: catalog.Metadata{Name: "search-team", Namespace: "default"}}}
	res, err := Generate(context.Background(), GenerateOptions{
		Description: "a Django service on GitLab for the search team, with an Argo CD application",
		Provider:    srv.Provider(), Groups: groups})
	if err != nil {
		t.Fatal(err)
	}
	user := srv.Last().LastUser()
	for _, want := range []string{"A draft composed from the request", "action: publish:gitlab", "- gitlab.com", "owner: group:default/search-team", "- django"} {
		if !strings.Contains(user, want) {
			t.Errorf("user prompt lacks %q:\n%s", want, user)
		}
	}
	if strings.Contains(user, "argocd:create-resources\n") || !strings.Contains(user, "Note: the request asks for Argo CD") {
		t.Errorf("the unavailable action must be a note, not a step:\n%s", user)
	}
	if o := asMap(res.Template["spec"])["owner"]; o != "group:default/search-team" {
		t.Errorf("owner %v", o)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "Argo CD") {
		t.Errorf("notes %v", res.Notes)
	}
}

// Word classes, not phrases: stack words with ".js", front-end vs back-end
// skeletons, host names, kinds of change.
func TestParseRequestClasses(t *testing.T) {
	for desc, want := range map[string]struct {
		tags       string
		host, kind string
	}{
		"a Next.js website":                              {"react,nextjs", "github", KindNewRepo},
		"an Express.js API on gitlab.example.com":        {"nodejs,express", "gitlab", KindNewRepo},
		"the next Go release":                            {"go", "github", KindNewRepo},
		"a C# service on Azure Repos":                    {"dotnet,csharp", "azure", KindNewRepo},
		"a Vue.js front-end on Bitbucket":                {"vue", "bitbucketCloud", KindNewRepo},
		"add a Dockerfile to an existing repo via a PR":  {"", "github", KindPullRequest},
		"import my existing repository into the catalog": {"", "github", KindRegister},
		"rotate the database credentials":                {"", "github", KindActionOnly},
	} {
		r := ParseRequest(desc)
		if strings.Join(r.Tags, ",") != want.tags || r.Host != want.host || r.Kind != want.kind {
			t.Errorf("%q: tags %v host %s kind %s, want %+v", desc, r.Tags, r.Host, r.Kind, want)
		}
	}
}

// A capability met by a plugin action the backend has (any id under the
// family's prefix) becomes a step whose required inputs are all filled,
// typed from the action's schema; the result validates with no warning.
func TestComposePluginActionInputs(t *testing.T) {
	cat, err := NewBuiltinCatalogue(nil)
	if err != nil {
		t.Fatal(err)
	}
	cat.Add(Action{ID: "kubernetes:apply", Source: "config", Schema: ActionSchema{Input: map[string]any{
		"type": "object", "required": []any{"namespace", "manifestPath", "replicas", "dryRun"},
		"properties": map[string]any{
			"namespace":    map[string]any{"type": "string", "description": "Target namespace"},
			"manifestPath": map[string]any{"type": "string"},
			"replicas":     map[string]any{"type": "integer", "default": 2},
			"dryRun":       map[string]any{"type": "boolean"},
		}}}})
	v, _ := NewValidator(cat)
	res, err := Generate(context.Background(), GenerateOptions{Description: "a Go service on GitHub deployed to Kubernetes", Validator: v})
	if err != nil {
		t.Fatal(err)
	}
	var step map[string]any
	for _, s := range asSlice(asMap(res.Template["spec"])["steps"]) {
		if strOf(asMap(s)["action"]) == "kubernetes:apply" {
			step = asMap(s)
		}
	}
	if step == nil || !res.Valid || len(res.Warnings) != 0 {
		t.Fatalf("valid %v, warnings %v, step %v\n%s", res.Valid, res.Warnings, step, res.YAML)
	}
	in := asMap(step["input"])
	for _, k := range []string{"namespace", "manifestPath", "replicas", "dryRun"} {
		if in[k] != "${{ parameters."+k+" }}" {
			t.Errorf("input %s = %v", k, in[k])
		}
	}
	if !strings.Contains(res.YAML, "replicas:\n          title: Replicas\n          type: integer\n          default: 2") {
		t.Errorf("typed form field missing:\n%s", res.YAML)
	}
}
