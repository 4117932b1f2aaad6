package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

// A strict-compatible schema (closed objects, all keys required).
var ownerSchema = json.RawMessage(`{
  "type": "object",
  "additionalProperties": false,
  "required": ["owner", "confidence"],
  "properties": {
    "owner": {"type": "string", "pattern": "^group:"},
    "confidence": {"type": "number", "minimum": 0, "maximum": 1}
  }
}`)

// An open schema: strict mode would be rejected by OpenAI, so it is not sent.
var openSchema = json.RawMessage(`{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}}}`)

func TestGenerateObject(t *testing.T) {
	tests := []struct {
		name         string
		schema       json.RawMessage
		replies      []llmtest.Reply
		opts         llm.ObjectOptions
		jsonSchema   *bool // provider capability override
		want         string
		wantErr      string
		wantFormats  []string // response_format type per request
		wantStrict   bool
		wantRepairIn int // request index whose last user message is a repair prompt
	}{
		{name: "valid first time", schema: ownerSchema,
			replies: []llmtest.Reply{llmtest.JSON(map[string]any{"owner": "group:payments", "confidence": 0.9})},
			want:    `{"confidence":0.9,"owner":"group:payments"}`, wantFormats: []string{"json_schema"}, wantStrict: true},
		{name: "fenced reply", schema: openSchema,
			replies: []llmtest.Reply{llmtest.Text("Here you go:\n```json\n{\"name\": \"x\"}\n```\n")},
			want:    `{"name":"x"}`, wantFormats: []string{"json_schema"}},
		{name: "invalid then valid", schema: ownerSchema,
			replies: []llmtest.Reply{
				llmtest.JSON(map[string]any{"owner": "payments", "confidence": 3}),
				llmtest.JSON(map[string]any{"owner": "group:payments", "confidence": 0.5})},
			want: `{"confidence":0.5,"owner":"group:payments"}`, wantFormats: []string{"json_schema", "json_schema"}, wantStrict: true, wantRepairIn: 1},
		{name: "not json then valid", schema: openSchema,
			replies: []llmtest.Reply{llmtest.Text("I think the name is x"), llmtest.JSON(map[string]any{"name": "x"})},
			want:    `{"name":"x"}`, wantFormats: []string{"json_schema", "json_schema"}, wantRepairIn: 1},
		{name: "repairs exhausted", schema: ownerSchema, opts: llm.ObjectOptions{MaxRepairs: 1},
			replies: []llmtest.Reply{llmtest.JSON(map[string]any{"owner": 1}), llmtest.JSON(map[string]any{"owner": 2})},
			wantErr: "no schema-valid reply after 1 repairs", wantFormats: []string{"json_schema", "json_schema"}, wantStrict: true},
		{name: "server rejects json_schema", schema: openSchema,
			replies: []llmtest.Reply{llmtest.RejectResponseFormat(), llmtest.JSON(map[string]any{"name": "y"})},
			want:    `{"name":"y"}`, wantFormats: []string{"json_schema", "json_object"}},
		{name: "server rejects every response_format", schema: openSchema,
			replies: []llmtest.Reply{llmtest.RejectResponseFormat(), llmtest.RejectResponseFormat(), llmtest.JSON(map[string]any{"name": "z"})},
			want:    `{"name":"z"}`, wantFormats: []string{"json_schema", "json_object", ""}},
		{name: "capability off uses json mode", schema: openSchema, jsonSchema: ptr(false),
			replies: []llmtest.Reply{llmtest.JSON(map[string]any{"name": "w"})},
			want:    `{"name":"w"}`, wantFormats: []string{"json_object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, tt.replies...)
			p := srv.Provider(func(c *llm.ProviderConfig) { c.JSONSchema = tt.jsonSchema })
			got, usage, err := llm.GenerateObject(context.Background(), p, userReq("who owns payments-api?"), tt.schema, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				var oe *llm.ObjectError
				if !errors.As(err, &oe) || len(oe.Problems) == 0 || oe.Raw == "" {
					t.Errorf("want ObjectError with problems, got %#v", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tt.want {
					t.Errorf("got %s, want %s", got, tt.want)
				}
			}
			reqs := srv.Requests()
			if len(reqs) != len(tt.wantFormats) {
				t.Fatalf("requests = %d, want %d", len(reqs), len(tt.wantFormats))
			}
			for i, f := range tt.wantFormats {
				rf := reqs[i].ResponseFormat
				gotF := ""
				if rf != nil {
					gotF = rf.Type
				}
				if gotF != f {
					t.Errorf("request %d response_format = %q, want %q", i, gotF, f)
				}
				if f == "json_schema" {
					if rf.Strict != tt.wantStrict || rf.Name != "result" || !strings.Contains(string(rf.Schema), `"type"`) {
						t.Errorf("request %d json_schema = %+v", i, rf)
					}
					if strings.Contains(reqs[i].System(), "JSON Schema") {
						t.Errorf("schema should not be in the prompt when the server enforces it")
					}
				} else if !strings.Contains(reqs[i].System(), `"name"`) {
					t.Errorf("request %d: schema should be in the system prompt, got %q", i, reqs[i].System())
				}
			}
			if tt.wantRepairIn > 0 {
				r := reqs[tt.wantRepairIn]
				if !strings.Contains(r.LastUser(), "does not validate") {
					t.Errorf("repair prompt = %q", r.LastUser())
				}
				if r.Messages[len(r.Messages)-2].Role != llm.RoleAssistant {
					t.Errorf("the invalid reply should be in the history")
				}
			}
			if tt.wantErr == "" && usage.Calls != countOK(tt.replies) {
				t.Errorf("usage calls = %d, want %d", usage.Calls, countOK(tt.replies))
			}
		})
	}
}

func TestGenerateObjectRepairPromptNamesTheProblem(t *testing.T) {
	srv := llmtest.New(t, llmtest.JSON(map[string]any{"owner": "payments", "confidence": 0.4}),
		llmtest.JSON(map[string]any{"owner": "group:payments", "confidence": 0.4}))
	if _, _, err := llm.GenerateObject(context.Background(), srv.Provider(), userReq("x"), ownerSchema, llm.ObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	repair := srv.Requests()[1].LastUser()
	if !strings.Contains(repair, "/owner") || !strings.Contains(repair, "group:") {
		t.Errorf("repair prompt should name the path and the rule:\n%s", repair)
	}
}

func TestGenerateObjectRememberedFallback(t *testing.T) {
	// After one rejection the provider goes straight to JSON mode.
	srv := llmtest.New(t, llmtest.RejectResponseFormat(), llmtest.JSON(map[string]any{"name": "a"}), llmtest.JSON(map[string]any{"name": "b"}))
	p := llm.NewMetered(srv.Provider())
	for range 2 {
		if _, _, err := llm.GenerateObject(context.Background(), p, userReq("x"), openSchema, llm.ObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.Requests()); n != 3 {
		t.Fatalf("requests = %d, want 3", n)
	}
	if rf := srv.Requests()[2].ResponseFormat; rf == nil || rf.Type != "json_object" {
		t.Errorf("third request format = %+v", rf)
	}
	if llm.CapabilitiesOf(p).JSONSchema {
		t.Errorf("capability should be off after the rejection")
	}
}

func TestGenerateObjectErrors(t *testing.T) {
	srv := llmtest.New(t, llmtest.Error(400, "context length exceeded"))
	_, _, err := llm.GenerateObject(context.Background(), srv.Provider(), userReq("x"), openSchema, llm.ObjectOptions{})
	var ae *llm.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || errs.KindOf(err) != errs.KindUpstream {
		t.Errorf("err = %v", err)
	}
	if _, _, err := llm.GenerateObject(context.Background(), srv.Provider(), userReq("x"), json.RawMessage(`{"type": 12}`), llm.ObjectOptions{}); err == nil || !strings.Contains(err.Error(), "invalid json schema") {
		t.Errorf("bad schema err = %v", err)
	}
}

func TestStripFences(t *testing.T) {
	testkit.StringCases(t, "StripFences", llm.StripFences, map[string]string{
		`{"a":1}`:                      `{"a":1}`,
		"```json\n{\"a\":1}\n```":      `{"a":1}`,
		"```\n[1,2]\n```":              `[1,2]`,
		"Sure!\n```json\n{}\n```\nBye": `{}`,
		"  {\"a\":1}\n":                `{"a":1}`,
	})
}

func countOK(rs []llmtest.Reply) int {
	n := 0
	for _, r := range rs {
		if r.Status == 0 || r.Status == 200 {
			n++
		}
	}
	return n
}

func ptr[T any](v T) *T { return &v }

func TestStripFencesMore(t *testing.T) {
	testkit.StringCases(t, "StripFences", llm.StripFences, map[string]string{
		"<think>the user wants {x}</think>\n{\"a\":1}":     `{"a":1}`,
		"The answer is {\"a\": {\"b\": 2}}. Hope it helps": `{"a": {"b": 2}}`,
		"no json here":      "no json here",
		"\"just a string\"": `"just a string"`,
	})
}

func TestSchemaNameSanitised(t *testing.T) {
	srv := llmtest.New(t, llmtest.JSON(map[string]any{"name": "x"}))
	if _, _, err := llm.GenerateObject(context.Background(), srv.Provider(), userReq("x"), openSchema, llm.ObjectOptions{Name: "template values (v1)"}); err != nil {
		t.Fatal(err)
	}
	if n := srv.Last().ResponseFormat.Name; n != "template_values__v1_" {
		t.Errorf("name = %q", n)
	}
}
