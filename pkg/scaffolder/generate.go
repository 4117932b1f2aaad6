package scaffolder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/llm"
)

// GenerateOptions are the inputs of Generate.
type GenerateOptions struct {
	Description string
	// Refs are reference templates the user named (--ref), already fetched
	// and checked to be kind Template.
	Refs []*catalog.Entity
	// Candidates are other templates (the catalog's) the offline draft may
	// start from when no Refs are given.
	Candidates []*catalog.Entity
	// Owner overrides spec.owner (an entity ref).
	Owner string
	// Provider is nil for the offline, deterministic draft.
	Provider llm.Provider
	// MaxRepairs bounds validator-driven repair rounds (default 2).
	MaxRepairs int
	Validator  *Validator
}

// Citations say what the result was built from.
type Citations struct {
	ReferenceTemplates []string `json:"referenceTemplates"`
	ActionsUsed        []string `json:"actionsUsed"`
}

// GenerateResult is the documented -o json shape of `template generate`.
type GenerateResult struct {
	YAML      string         `json:"yaml"`
	Template  map[string]any `json:"template"`
	Citations Citations      `json:"citations"`
	// Warnings are the validator's remaining warnings.
	Warnings []Finding `json:"warnings"`
	Usage    llm.Usage `json:"usage"`
	// Mode is "model" or "offline".
	Mode string `json:"mode"`
	// Repairs is the number of validator-driven repair rounds used.
	Repairs int `json:"repairs"`
	// Valid is false when errors remain; Errors then lists them and the
	// template must not be written.
	Valid  bool      `json:"valid"`
	Errors []Finding `json:"errors,omitempty"`
	// Notes are hints for the user (e.g. relative skeleton URLs).
	Notes  []string        `json:"notes,omitempty"`
	DryRun *DryRunResult   `json:"dryRun,omitempty"`
	raw    json.RawMessage // the model's JSON, for key order
}

// Generate produces a template from a description: with a model through
// GenerateObject plus validator-driven repairs, else a deterministic draft.
func Generate(ctx context.Context, opts GenerateOptions) (*GenerateResult, error) {
	if strings.TrimSpace(opts.Description) == "" {
		return nil, errors.New("empty description")
	}
	if opts.Validator == nil {
		v, err := NewValidator(nil)
		if err != nil {
			return nil, err
		}
		opts.Validator = v
	}
	if opts.MaxRepairs == 0 {
		opts.MaxRepairs = 2
	}
	if opts.MaxRepairs < 0 {
		opts.MaxRepairs = 0
	}
	var res *GenerateResult
	var err error
	if opts.Provider == nil {
		res, err = draft(opts)
	} else {
		res, err = generateWithModel(ctx, opts)
	}
	if err != nil {
		return nil, err
	}
	return finish(res, opts.Validator)
}

// finish validates, splits findings, renders YAML and fills citations.
func finish(res *GenerateResult, v *Validator) (*GenerateResult, error) {
	fs := v.ValidateValue(res.Template)
	res.Warnings, res.Errors = []Finding{}, nil
	for _, f := range fs {
		if f.Severity == SevError {
			res.Errors = append(res.Errors, f)
		} else {
			res.Warnings = append(res.Warnings, f)
		}
	}
	res.Valid = len(res.Errors) == 0
	y, err := TemplateYAML(res.Template, res.raw)
	if err != nil {
		return nil, err
	}
	res.YAML = string(y)
	res.Citations.ActionsUsed = actionsUsed(res.Template)
	if res.Mode == "model" && hasRelativeFetch(asMap(res.Template["spec"])) {
		res.Notes = append(res.Notes, "steps fetch relative paths (e.g. ./skeleton): create that folder next to the template before registering it")
	}
	if res.Citations.ReferenceTemplates == nil {
		res.Citations.ReferenceTemplates = []string{}
	}
	return res, nil
}

func actionsUsed(tpl map[string]any) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range asSlice(asMap(tpl["spec"])["steps"]) {
		if a := strOf(asMap(s)["action"]); a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// --- offline draft ---

// draft picks the closest reference by token overlap with the description
// and adapts its identity (name, title, description, owner), keeping steps.
func draft(opts GenerateOptions) (*GenerateResult, error) {
	pool := opts.Refs
	if len(pool) == 0 {
		pool = opts.Candidates
	}
	res := &GenerateResult{Mode: "offline"}
	ref := closest(opts.Description, pool)
	var spec map[string]any
	if ref != nil {
		spec, _ = deepCopy(ref.Spec).(map[string]any)
		if spec == nil {
			spec = map[string]any{}
		}
		res.Citations.ReferenceTemplates = []string{ref.Ref().String()}
		if hasRelativeFetch(spec) {
			res.Notes = append(res.Notes, fmt.Sprintf("steps fetch relative paths (e.g. ./skeleton) from %s's folder: put this template next to a copy of that skeleton, or change the url", ref.Ref().String()))
		}
	} else {
		spec = minimalSpec()
		res.Notes = append(res.Notes, "no reference template found (pass --ref or configure a catalog with templates); drafted a minimal template")
	}
	if opts.Owner != "" {
		spec["owner"] = opts.Owner
	}
	if _, ok := spec["type"]; !ok {
		spec["type"] = "service"
	}
	md := map[string]any{
		"name":        draftName(opts.Description),
		"title":       draftTitle(opts.Description),
		"description": strings.TrimSpace(opts.Description),
	}
	if ref != nil && len(ref.Metadata.Tags) > 0 {
		tags := make([]any, len(ref.Metadata.Tags))
		for i, t := range ref.Metadata.Tags {
			tags[i] = t
		}
		md["tags"] = tags
	}
	res.Template = map[string]any{
		"apiVersion": "scaffolder.backstage.io/v1beta3",
		"kind":       "Template",
		"metadata":   md,
		"spec":       spec,
	}
	return res, nil
}

// closest scores templates by how many description tokens appear in their
// name, title, description, tags and type; ties keep the input order.
func closest(desc string, pool []*catalog.Entity) *catalog.Entity {
	want := tokens(desc)
	var best *catalog.Entity
	bestScore := -1
	for _, e := range pool {
		if e == nil || e.Kind != "Template" {
			continue
		}
		have := tokens(strings.Join(append([]string{e.Metadata.Name, e.Metadata.Title, e.Metadata.Description, e.SpecString("type")}, e.Metadata.Tags...), " "))
		score := 0
		for t := range want {
			if have[t] {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = e, score
		}
	}
	return best
}

var stopwords = map[string]bool{"a": true, "an": true, "the": true, "and": true, "or": true, "for": true, "to": true, "of": true, "with": true, "in": true, "on": true, "that": true, "this": true, "it": true, "new": true, "create": true, "template": true, "which": true, "from": true, "by": true, "is": true, "be": true, "as": true, "at": true}

func tokens(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Split(kebab(s), "-") {
		if len(w) > 1 && !stopwords[w] {
			out[w] = true
			out[strings.TrimSuffix(w, "s")] = true
		}
	}
	return out
}

// draftName is the kebab-case of the description's first meaningful words.
func draftName(desc string) string {
	var words []string
	for _, w := range strings.Split(kebab(desc), "-") {
		if w == "" || stopwords[w] {
			continue
		}
		words = append(words, w)
		if len(words) == 5 {
			break
		}
	}
	if len(words) == 0 {
		return "generated-template"
	}
	return kebab(strings.Join(words, " "))
}

func draftTitle(desc string) string {
	t := strings.TrimSpace(strings.SplitN(strings.TrimSpace(desc), "\n", 2)[0])
	t = strings.TrimRight(t, ".")
	if r := []rune(t); len(r) > 60 {
		t = strings.TrimSpace(string(r[:57])) + "..."
	}
	if t == "" {
		return "Generated template"
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

func hasRelativeFetch(spec map[string]any) bool {
	for _, s := range asSlice(spec["steps"]) {
		sm := asMap(s)
		if strings.HasPrefix(strOf(sm["action"]), "fetch:") {
			u := strOf(asMap(sm["input"])["url"])
			if strings.HasPrefix(u, ".") {
				return true
			}
		}
	}
	return false
}

func minimalSpec() map[string]any {
	return map[string]any{
		"owner": "group:default/platform-team",
		"type":  "service",
		"parameters": []any{map[string]any{
			"title":    "Details",
			"required": []any{"name"},
			"properties": map[string]any{
				"name": map[string]any{"title": "Name", "type": "string"},
			},
		}},
		"steps": []any{map[string]any{
			"id": "log", "name": "Log", "action": "debug:log",
			"input": map[string]any{"message": "Creating ${{ parameters.name }}"},
		}},
	}
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, x := range t {
			a[i] = deepCopy(x)
		}
		return a
	}
	return v
}
