package scaffolder

import (
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var schemaPrinter = message.NewPrinter(language.English)

//go:embed schema/*.json
var schemaFS embed.FS

// schemaBase is the in-memory base URL the vendored schemas live under, so
// their relative $ids ("Entity", "common#relation") resolve to each other
// without any network or file access.
const schemaBase = "mem://backstage/"

var schemaFiles = map[string]string{
	"TemplateV1beta3": "schema/Template.v1beta3.schema.json",
	"Entity":          "schema/Entity.schema.json",
	"EntityEnvelope":  "schema/EntityEnvelope.schema.json",
	"EntityMeta":      "schema/EntityMeta.schema.json",
	"common":          "schema/common.schema.json",
}

var (
	templateSchemaOnce sync.Once
	templateSchema     *jsonschema.Schema
	templateSchemaErr  error
)

// TemplateSchema returns the compiled Template v1beta3 schema.
func TemplateSchema() (*jsonschema.Schema, error) {
	templateSchemaOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft7)
		for id, file := range schemaFiles {
			b, err := schemaFS.ReadFile(file)
			if err != nil {
				templateSchemaErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				templateSchemaErr = fmt.Errorf("schema %s: %w", file, err)
				return
			}
			if err := c.AddResource(schemaBase+id, doc); err != nil {
				templateSchemaErr = fmt.Errorf("schema %s: %w", file, err)
				return
			}
		}
		templateSchema, templateSchemaErr = c.Compile(schemaBase + "TemplateV1beta3")
	})
	return templateSchema, templateSchemaErr
}

// RawSchema returns one vendored schema document (for the generator's
// output schema).
func RawSchema(id string) ([]byte, error) {
	f, ok := schemaFiles[id]
	if !ok {
		return nil, fmt.Errorf("unknown schema %q", id)
	}
	return schemaFS.ReadFile(f)
}

// schemaFindings validates v against the Template schema and maps each
// leaf error to a finding with rule "schema".
func schemaFindings(d *Doc) []Finding {
	sch, err := TemplateSchema()
	if err != nil {
		return []Finding{{Severity: SevError, Rule: "schema", Message: "cannot load the template schema: " + err.Error()}}
	}
	err = sch.Validate(d.Value)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []Finding{{Severity: SevError, Rule: "schema", Message: err.Error()}}
	}
	var out []Finding
	seen := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 && !isOneOfOnBranches(e) {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		segs := instancePath(d.Value, e.InstanceLocation)
		msg := schemaMessage(e)
		key := jsonPath(segs) + "|" + msg
		if seen[key] {
			return
		}
		seen[key] = true
		line, col := d.Pos(segs)
		out = append(out, Finding{Severity: SevError, Rule: "schema", Message: msg, Path: jsonPath(segs), Line: line, Column: col})
	}
	walk(ve)
	return out
}

// isOneOfOnBranches keeps a failed oneOf/anyOf as one finding: listing every
// branch's complaint ("want object", "want array") would only confuse.
func isOneOfOnBranches(e *jsonschema.ValidationError) bool {
	kp := e.ErrorKind.KeywordPath()
	if len(kp) == 0 {
		return false
	}
	switch kp[len(kp)-1] {
	case "oneOf", "anyOf":
		return true
	}
	return false
}

func schemaMessage(e *jsonschema.ValidationError) string {
	s := strings.TrimSpace(e.ErrorKind.LocalizedString(schemaPrinter))
	if s == "" {
		s = "does not match the template schema"
	}
	kp := e.ErrorKind.KeywordPath()
	if len(kp) > 0 {
		switch kp[len(kp)-1] {
		case "oneOf", "anyOf":
			s = "does not match any allowed shape (" + kp[len(kp)-1] + ")"
		}
	}
	return s
}

// instancePath turns the library's string tokens into segments, making
// array indexes ints by looking at the instance.
func instancePath(root any, toks []string) []any {
	segs := make([]any, 0, len(toks))
	cur := root
	for _, t := range toks {
		switch c := cur.(type) {
		case []any:
			i, err := strconv.Atoi(t)
			if err == nil && i >= 0 && i < len(c) {
				segs = append(segs, i)
				cur = c[i]
				continue
			}
		case map[string]any:
			segs = append(segs, t)
			cur = c[t]
			continue
		}
		segs = append(segs, t)
		cur = nil
	}
	return segs
}

// sortedKeys returns a map's keys in order (deterministic iteration).
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
