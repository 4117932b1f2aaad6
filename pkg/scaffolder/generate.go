package scaffolder

import (
	"context"
	"encoding/json"
	"errors"
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
	// Groups are the catalog's Groups: a team named in the request resolves
	// to one of them (with a did-you-mean note when it does not).
	Groups []*catalog.Entity
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

// draft composes the template the request asks for (see compose): the
// kind of change, stack, host, owner and extras read from the description,
// with only actions the catalogue has. A reference template lends its
// conventions when it fits, never its stack.
func draft(opts GenerateOptions) (*GenerateResult, error) {
	tpl, notes, ref := compose(opts.Description, opts)
	res := &GenerateResult{Mode: "offline", Template: tpl, Notes: notes}
	if ref != nil {
		res.Citations.ReferenceTemplates = []string{ref.Ref().String()}
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
