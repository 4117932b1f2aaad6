package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// ObjectOptions tunes GenerateObject.
type ObjectOptions struct {
	// Name of the schema sent in response_format (default "result").
	Name string
	// MaxRepairs bounds re-asks after an invalid reply (default 2; -1 = none).
	MaxRepairs int
	// Strict forces strict mode on or off; nil = strict when the schema
	// meets OpenAI's strict rules (every object closed, all keys required).
	Strict *bool
}

// ObjectError is returned (wrapped in an errs.Upstream) when the model did
// not produce schema-valid JSON within the repair budget.
type ObjectError struct {
	// Raw is the model's last reply.
	Raw string
	// Problems are the validation errors of the last reply.
	Problems []string
}

func (e *ObjectError) Error() string {
	return "model reply does not match the schema: " + strings.Join(e.Problems, "; ")
}

// Structured-output modes, strongest first; GenerateObject steps down when a
// server rejects one.
const (
	modeJSONSchema = "json_schema"
	modeJSONObject = "json_object"
	modePrompt     = "prompt" // no response_format at all: schema in the prompt
)

// GenerateObject asks for JSON matching schema (a JSON Schema document),
// validates the reply, re-asks with the validation errors on failure, and
// returns the valid JSON. Usage is summed over all rounds.
//
// It sends response_format json_schema when the provider supports it; a
// server that answers 400 about response_format makes it fall back to JSON
// mode, then to a plain prompt, with the schema in the system prompt. The
// reply is validated either way.
func GenerateObject(ctx context.Context, p Provider, req Request, schema json.RawMessage, opts ObjectOptions) (json.RawMessage, Usage, error) {
	var total Usage
	sch, err := CompileSchema(schema)
	if err != nil {
		return nil, total, err
	}
	opts.Name = schemaName(opts.Name)
	if opts.MaxRepairs == 0 {
		opts.MaxRepairs = 2
	}
	if opts.MaxRepairs < 0 {
		opts.MaxRepairs = 0
	}
	strict := strictCompatible(schema)
	if opts.Strict != nil {
		strict = *opts.Strict
	}
	mode := modeJSONSchema
	if !CapabilitiesOf(p).JSONSchema {
		mode = modeJSONObject
	}
	base := append([]Message(nil), req.Messages...)
	var extra []Message // repair turns
	raised := false     // MaxTokens was doubled after a cut-off reply
	for round := 0; ; {
		r := req
		r.Messages = append(withSchemaPrompt(base, schema, mode), extra...)
		switch mode {
		case modeJSONSchema:
			r.ResponseFormat = &ResponseFormat{Type: "json_schema", Name: opts.Name, Schema: schema, Strict: strict}
		case modeJSONObject:
			r.ResponseFormat = &ResponseFormat{Type: "json_object"}
		default:
			r.ResponseFormat = nil
		}
		resp, err := p.Generate(ctx, r)
		if err != nil {
			if rejectsResponseFormat(err) && mode != modePrompt {
				if mode == modeJSONSchema {
					noteNoJSONSchema(p)
					mode = modeJSONObject
				} else {
					mode = modePrompt
				}
				continue // a rejected format is not a repair round
			}
			return nil, total, err
		}
		u := resp.Usage
		if u.Calls == 0 {
			u.Calls = 1
		}
		total.Add(u)
		text := StripFences(resp.Message.Content)
		problems := validate(sch, text)
		if len(problems) > 0 && resp.FinishReason == "length" && !json.Valid([]byte(text)) {
			// Cut off mid-JSON at the token limit: asking for a repair
			// would be cut off the same way. Give it room once, then say so.
			if !raised && req.MaxTokens > 0 {
				raised, req.MaxTokens = true, req.MaxTokens*2
				continue
			}
			return nil, total, errs.Upstream("provider %s: model %s stopped at its token limit in the middle of the JSON reply (finish_reason length)",
				p.Name(), modelOf(p, req)).
				WithHint("raise bsai.ai.providers.%s.maxTokens, or use a model with a larger output limit", p.Name())
		}
		if len(problems) == 0 {
			var buf bytes.Buffer
			if json.Compact(&buf, []byte(text)) == nil {
				return json.RawMessage(buf.Bytes()), total, nil
			}
			return json.RawMessage(text), total, nil
		}
		if round >= opts.MaxRepairs {
			oe := &ObjectError{Raw: resp.Message.Content, Problems: problems}
			return nil, total, errs.Upstream("provider %s: model %s gave no schema-valid reply after %d repairs: %w",
				p.Name(), modelOf(p, req), opts.MaxRepairs, oe).
				WithHint("try a stronger model (--model) or simplify the request")
		}
		round++
		prev := resp.Message.Content
		if strings.TrimSpace(prev) == "" {
			prev = "(empty reply)" // an assistant turn without content is a 400 on some servers
		}
		extra = append(extra,
			Message{Role: RoleAssistant, Content: prev},
			Message{Role: RoleUser, Content: repairPrompt(problems)})
	}
}

func modelOf(p Provider, req Request) string {
	if req.Model != "" {
		return req.Model
	}
	return p.Model()
}

// withSchemaPrompt adds the schema to the system prompt when the server
// cannot enforce it, so the model still knows the shape to produce.
func withSchemaPrompt(msgs []Message, schema json.RawMessage, mode string) []Message {
	if mode == modeJSONSchema {
		return msgs
	}
	var buf bytes.Buffer
	if json.Indent(&buf, schema, "", "  ") != nil {
		buf.Reset()
		buf.Write(schema)
	}
	note := "Reply with a single JSON value that validates against this JSON Schema, and nothing else (no prose, no code fences):\n" + buf.String()
	out := append([]Message(nil), msgs...)
	if len(out) > 0 && out[0].Role == RoleSystem {
		out[0].Content = strings.TrimRight(out[0].Content, "\n") + "\n\n" + note
		return out
	}
	return append([]Message{{Role: RoleSystem, Content: note}}, out...)
}

func repairPrompt(problems []string) string {
	var b strings.Builder
	b.WriteString("Your reply does not validate against the required JSON Schema:\n")
	for _, p := range problems {
		b.WriteString("- ")
		b.WriteString(p)
		b.WriteString("\n")
	}
	b.WriteString("Reply again with only the corrected JSON, nothing else.")
	return b.String()
}

// CompileSchema compiles a JSON Schema document (draft 2020-12 unless it
// says otherwise). Exported so callers can validate model output elsewhere.
func CompileSchema(schema json.RawMessage) (*jsonschema.Schema, error) {
	key := string(schema)
	schemaCache.Lock()
	sch, ok := schemaCache.m[key]
	schemaCache.Unlock()
	if ok {
		return sch, nil
	}
	sch, err := compileSchema(schema)
	if err != nil {
		return nil, err
	}
	schemaCache.Lock()
	if len(schemaCache.m) >= 64 { // a few schemas per process; keep it bounded
		clear(schemaCache.m)
	}
	schemaCache.m[key] = sch
	schemaCache.Unlock()
	return sch, nil
}

// schemaCache holds compiled schemas: compiling checks the schema against
// its metaschema, which costs more than the validation itself.
var schemaCache = struct {
	sync.Mutex
	m map[string]*jsonschema.Schema
}{m: map[string]*jsonschema.Schema{}}

func compileSchema(schema json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, errs.Failure("llm: invalid json schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("bsai://schema.json", doc); err != nil {
		return nil, errs.Failure("llm: invalid json schema: %v", err)
	}
	sch, err := c.Compile("bsai://schema.json")
	if err != nil {
		return nil, errs.Failure("llm: invalid json schema: %v", err)
	}
	return sch, nil
}

// validate returns one line per problem ("at /path: message"); nil = valid.
func validate(sch *jsonschema.Schema, text string) []string {
	if strings.TrimSpace(text) == "" {
		return []string{"the reply is empty; a JSON value is required"}
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return []string{fmt.Sprintf("the reply is not valid JSON: %v", err)}
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []string{err.Error()}
	}
	seen := map[string]bool{}
	var out []string
	var walk func(u jsonschema.OutputUnit)
	walk = func(u jsonschema.OutputUnit) {
		if u.Error != nil && len(u.Errors) == 0 {
			loc := u.InstanceLocation
			if loc == "" {
				loc = "/"
			}
			line := fmt.Sprintf("at %s: %s", loc, u.Error.String())
			if !seen[line] {
				seen[line] = true
				out = append(out, line)
			}
		}
		for _, c := range u.Errors {
			walk(c)
		}
	}
	walk(*ve.BasicOutput())
	if len(out) == 0 {
		out = append(out, strings.ReplaceAll(ve.Error(), "\n", " "))
	}
	sort.Strings(out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("... and %d more", len(out)-20))
	}
	return out
}

// schemaName makes a response_format name OpenAI accepts
// (^[a-zA-Z0-9_-]{1,64}$).
func schemaName(n string) string {
	var b strings.Builder
	for _, r := range n {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	if s == "" {
		return "result"
	}
	return s
}

// StripFences removes what models wrap JSON in even when told not to: a
// <think>...</think> preamble (reasoning models), a ```json ... ``` fence,
// and prose before or after a lone object.
func StripFences(s string) string {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "<think>") {
		if i := strings.Index(t, "</think>"); i >= 0 {
			t = strings.TrimSpace(t[i+len("</think>"):])
		}
	}
	t = stripFence(t)
	if t != "" && t[0] != '{' && t[0] != '[' {
		// "Here is the JSON: {...}. Hope it helps" → the outermost object.
		i, j := strings.IndexByte(t, '{'), strings.LastIndexByte(t, '}')
		if i >= 0 && j > i && json.Valid([]byte(t[i:j+1])) {
			return t[i : j+1]
		}
	}
	return t
}

func stripFence(t string) string {
	if i := strings.Index(t, "```"); i >= 0 {
		rest := t[i+3:]
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
			lang := strings.TrimSpace(rest[:nl])
			if lang == "" || !strings.ContainsAny(lang, "{[\"") {
				rest = rest[nl+1:]
			}
		}
		if j := strings.LastIndex(rest, "```"); j >= 0 {
			rest = rest[:j]
		}
		return strings.TrimSpace(rest)
	}
	return t
}

// strictCompatible reports whether schema meets OpenAI's strict rules: every
// object lists all its properties as required and sets
// additionalProperties: false. Strict mode with another schema is a 400.
func strictCompatible(schema json.RawMessage) bool {
	var v any
	if json.Unmarshal(schema, &v) != nil {
		return false
	}
	return strictOK(v)
}

func strictOK(v any) bool {
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			if !strictOK(x) {
				return false
			}
		}
	case map[string]any:
		if props, ok := t["properties"].(map[string]any); ok {
			if ap, ok := t["additionalProperties"].(bool); !ok || ap {
				return false
			}
			req := map[string]bool{}
			if rl, ok := t["required"].([]any); ok {
				for _, r := range rl {
					if s, ok := r.(string); ok {
						req[s] = true
					}
				}
			}
			for k := range props {
				if !req[k] {
					return false
				}
			}
		} else if t["type"] == "object" {
			if ap, ok := t["additionalProperties"].(bool); !ok || ap {
				return false
			}
		}
		for k, x := range t {
			if k == "enum" || k == "const" || k == "default" || k == "examples" {
				continue
			}
			if !strictOK(x) {
				return false
			}
		}
	}
	return true
}
