package scaffolder

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bsai-dev/bsai/pkg/llm"
)

// Prompt budgets, in characters (about 4 per token): enough for a few
// reference templates and the input schemas of the actions that matter.
const (
	refBudget     = 16000
	actionsBudget = 24000
)

const systemPrompt = `You write Backstage software templates (apiVersion scaffolder.backstage.io/v1beta3, kind Template).
Rules:
- Reply with one JSON object: the whole template entity, matching the response schema.
- metadata.name is kebab-case (lower-case letters, digits, '-'), at most 63 characters.
- spec.parameters is a list of form pages (JSON Schema objects with title, required, properties).
- spec.steps run in order; use only the actions listed below, with their input schemas.
- Read form values in steps as ${{ parameters.name }}; read an earlier step's output as ${{ steps['id'].output.key }}.
  A step may only read steps declared before it. Never use {{ values.x }} in steps (that is for skeleton files).
- Every ${{ parameters.x }} must be declared in some page's properties; every required property must be declared.
- Fetch content (fetch:*) before publishing it (publish:*); register in the catalog (catalog:register) after publishing.
- spec.output.links point at steps' outputs (e.g. ${{ steps['publish'].output.remoteUrl }}).`

// generateWithModel asks the model for the template object, validates it,
// and sends the validator's errors back for up to MaxRepairs rounds.
func generateWithModel(ctx context.Context, opts GenerateOptions) (*GenerateResult, error) {
	cat := opts.Validator.Actions
	schema, err := OutputSchema(cat)
	if err != nil {
		return nil, err
	}
	if len(opts.Refs) == 0 {
		// No --ref: show the model the catalog's closest template instead.
		if best := closest(opts.Description, opts.Candidates); best != nil {
			opts.Refs = append(opts.Refs, best)
		}
	}
	res := &GenerateResult{Mode: "model"}
	// The composed draft (request read, actions checked against the
	// catalogue, team resolved) is what the model improves; its notes
	// (actions that are not available, an unknown team) stand.
	draftTpl, draftNotes, _ := compose(opts.Description, opts)
	res.Notes = append(res.Notes, draftNotes...)
	if opts.Owner == "" {
		if o := strOf(asMap(draftTpl["spec"])["owner"]); o != placeholderOwner {
			opts.Owner = o // a team the request names and the catalog has
		}
	}
	for _, r := range opts.Refs {
		res.Citations.ReferenceTemplates = append(res.Citations.ReferenceTemplates, r.Ref().String())
	}
	msgs := []llm.Message{
		{Role: llm.RoleSystem, Content: systemPrompt + "\n\n" + actionsPrompt(cat, opts)},
		{Role: llm.RoleUser, Content: userPrompt(opts) + draftPrompt(draftTpl, draftNotes)},
	}
	for round := 0; ; round++ {
		raw, usage, err := llm.GenerateObject(ctx, opts.Provider, llm.Request{Messages: msgs}, schema, llm.ObjectOptions{Name: "template", MaxRepairs: objectRepairs(opts.MaxRepairs)})
		res.Usage.Add(usage)
		if err != nil {
			return nil, err
		}
		var tpl map[string]any
		if err := json.Unmarshal(raw, &tpl); err != nil {
			return nil, fmt.Errorf("model reply is not a JSON object: %w", err)
		}
		if opts.Owner != "" {
			if spec := asMap(tpl["spec"]); spec != nil {
				spec["owner"] = opts.Owner
				raw, _ = json.Marshal(tpl)
			}
		}
		res.Template, res.raw, res.Repairs = tpl, raw, round
		errsFound := hardFindings(opts.Validator.ValidateValue(tpl))
		if len(errsFound) == 0 || round >= opts.MaxRepairs {
			return res, nil
		}
		msgs = append(msgs,
			llm.Message{Role: llm.RoleAssistant, Content: string(raw)},
			llm.Message{Role: llm.RoleUser, Content: repairPrompt(errsFound)})
	}
}

// draftPrompt shows the model the composed draft to improve.
func draftPrompt(tpl map[string]any, notes []string) string {
	b, err := TemplateYAML(tpl, nil)
	if err != nil {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("\nA draft composed from the request with the available actions. Improve it (better form fields, inputs, descriptions) ")
	sb.WriteString("but keep its kind of change, publish action, allowedHosts, owner and tags unless the request says otherwise, and add no action that is not available:\n")
	sb.Write(b)
	for _, n := range notes {
		sb.WriteString("Note: " + n + "\n")
	}
	return sb.String()
}

func hardFindings(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == SevError {
			out = append(out, f)
		}
	}
	return out
}

func repairPrompt(fs []Finding) string {
	var sb strings.Builder
	sb.WriteString("The template fails validation. Fix every error and reply with the whole corrected template:\n")
	for _, f := range fs {
		fmt.Fprintf(&sb, "- %s [%s] at %s\n", f.Message, f.Rule, f.Path)
	}
	return sb.String()
}

func userPrompt(opts GenerateOptions) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Write a template for: %s\n", strings.TrimSpace(opts.Description))
	if opts.Owner != "" {
		fmt.Fprintf(&sb, "spec.owner must be %s.\n", opts.Owner)
	}
	if len(opts.Refs) > 0 {
		sb.WriteString("\nReference templates from the catalog (follow their conventions):\n")
		budget := refBudget / len(opts.Refs)
		for _, r := range opts.Refs {
			b, _ := TemplateYAML(map[string]any{"apiVersion": r.APIVersion, "kind": r.Kind, "metadata": map[string]any{"name": r.Metadata.Name, "title": r.Metadata.Title, "description": r.Metadata.Description}, "spec": r.Spec}, nil)
			s := string(b)
			if len(s) > budget {
				s = s[:budget] + "\n# … truncated\n"
			}
			fmt.Fprintf(&sb, "--- %s\n%s", r.Ref().String(), s)
		}
	}
	return sb.String()
}

// actionsPrompt lists the available actions: actions the references use
// and the core ones get their input schemas first; the rest get id and
// description while the budget lasts, then just ids.
func actionsPrompt(cat *Catalogue, opts GenerateOptions) string {
	prio := map[string]bool{}
	for _, r := range opts.Refs {
		for _, a := range actionsUsed(map[string]any{"spec": r.Spec}) {
			prio[a] = true
		}
	}
	for _, id := range []string{"fetch:template", "fetch:plain", "publish:github", "catalog:register", "debug:log", "debug:wait"} {
		prio[id] = true
	}
	acts := cat.Actions()
	ordered := make([]*Action, 0, len(acts))
	for _, a := range acts {
		if prio[a.ID] {
			ordered = append(ordered, a)
		}
	}
	for _, a := range acts {
		if !prio[a.ID] {
			ordered = append(ordered, a)
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Available actions (%s):\n", cat.Origin)
	var rest []string
	for _, a := range ordered {
		line := "- " + a.ID
		if a.Description != "" {
			line += ": " + strings.TrimSpace(a.Description)
		}
		if a.Schema.Input != nil {
			if b, err := json.Marshal(trimSchema(a.Schema.Input, 0)); err == nil {
				line += "\n  input schema: " + string(b)
			}
		}
		if sb.Len()+len(line) > actionsBudget {
			rest = append(rest, a.ID)
			continue
		}
		sb.WriteString(line + "\n")
	}
	if len(rest) > 0 {
		sb.WriteString("Also available (schemas omitted): " + strings.Join(rest, ", ") + "\n")
	}
	return sb.String()
}

// trimSchema drops descriptions below the top level and examples, which
// cost tokens without constraining anything.
func trimSchema(v any, depth int) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if k == "examples" || k == "$schema" || (k == "description" && depth > 1) {
				continue
			}
			out[k] = trimSchema(x, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = trimSchema(x, depth+1)
		}
		return out
	}
	return v
}

// OutputSchema is the JSON Schema the model's reply must match: the
// v1beta3 Template schema made self-contained (no $ref to Entity), with a
// kebab-case name and the catalogue's action ids as an enum.
func OutputSchema(cat *Catalogue) (json.RawMessage, error) {
	b, err := RawSchema("TemplateV1beta3")
	if err != nil {
		return nil, err
	}
	var full map[string]any
	if err := json.Unmarshal(b, &full); err != nil {
		return nil, err
	}
	// The second allOf branch holds the Template-specific part.
	var tplPart map[string]any
	for _, x := range asSlice(full["allOf"]) {
		if m := asMap(x); m != nil && m["$ref"] == nil {
			tplPart = m
		}
	}
	if tplPart == nil {
		return nil, fmt.Errorf("unexpected template schema layout")
	}
	props := asMap(tplPart["properties"])
	spec := deepCopy(asMap(props["spec"])).(map[string]any)
	specProps := asMap(spec["properties"])
	steps := asMap(specProps["steps"])
	steps["minItems"] = 1
	item := asMap(steps["items"])
	item["required"] = []any{"id", "name", "action"}
	ids := make([]any, 0)
	for _, id := range cat.IDs() {
		ids = append(ids, id)
	}
	asMap(item["properties"])["action"] = map[string]any{"type": "string", "enum": ids, "description": "The action to run; one of the available actions."}
	asMap(item["properties"])["id"] = map[string]any{"type": "string", "pattern": "^[a-zA-Z][a-zA-Z0-9_-]*$"}
	spec["required"] = []any{"owner", "type", "parameters", "steps"}
	specProps["parameters"] = map[string]any{"type": "array", "description": "Form pages; each a JSON Schema object with title, required and properties.", "items": map[string]any{"type": "object"}}
	out := map[string]any{
		"$schema":  "http://json-schema.org/draft-07/schema#",
		"type":     "object",
		"required": []any{"apiVersion", "kind", "metadata", "spec"},
		"properties": map[string]any{
			"apiVersion": map[string]any{"type": "string", "enum": []any{"scaffolder.backstage.io/v1beta3"}},
			"kind":       map[string]any{"type": "string", "enum": []any{"Template"}},
			"metadata": map[string]any{
				"type":     "object",
				"required": []any{"name", "title", "description"},
				"properties": map[string]any{
					"name":        map[string]any{"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 63},
					"title":       map[string]any{"type": "string", "minLength": 1},
					"description": map[string]any{"type": "string"},
					"tags":        map[string]any{"type": "array", "items": map[string]any{"type": "string", "pattern": "^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$"}},
				},
			},
			"spec": trimSchema(spec, 0),
		},
	}
	return json.Marshal(out)
}

// objectRepairs maps our repair budget onto GenerateObject's, where 0 means
// "default" and -1 means none.
func objectRepairs(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}
