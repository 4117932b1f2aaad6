package scaffolder

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/bsai-dev/bsai/pkg/boundedio"
)

// Validator checks templates against the schema and the semantic rules.
type Validator struct {
	Actions *Catalogue
	// SchemaOnly skips the semantic rules (the benchmark's baseline).
	SchemaOnly bool
}

// NewValidator returns a validator using cat (the built-in catalogue when nil).
func NewValidator(cat *Catalogue) (*Validator, error) {
	if cat == nil {
		var err error
		if cat, err = NewBuiltinCatalogue(nil); err != nil {
			return nil, err
		}
	}
	if _, err := TemplateSchema(); err != nil {
		return nil, err
	}
	return &Validator{Actions: cat}, nil
}

// IsTemplate reports whether a decoded document is a scaffolder Template.
func IsTemplate(v any) bool {
	k, _ := asString(asMap(v)["kind"])
	return k == "Template"
}

// ValidateDoc checks one Template document.
func (v *Validator) ValidateDoc(d *Doc) []Finding {
	out := schemaFindings(d)
	if !v.SchemaOnly {
		out = append(out, semantic(d, v.Actions)...)
	}
	sortFindings(out)
	return out
}

// ValidateValue checks a template held in memory (the generator's output);
// findings carry paths but no line numbers.
func (v *Validator) ValidateValue(tpl any) []Finding {
	return v.ValidateDoc(&Doc{Value: tpl})
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

// ValidateBytes checks every Template document in a YAML stream; other
// documents are skipped with a note.
func (v *Validator) ValidateBytes(path string, data []byte) FileResult {
	res := FileResult{Path: path, Findings: []Finding{}, src: data}
	docs, err := ParseDocs(data)
	if err != nil {
		line := 0
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		res.Findings = append(res.Findings, Finding{Severity: SevError, Rule: RuleYAML, Message: strings.TrimPrefix(strings.TrimPrefix(err.Error(), "yaml: "), "yaml: "), Line: line, Column: 1})
	}
	for _, d := range docs {
		if !IsTemplate(d.Value) {
			kind, _ := asString(asMap(d.Value)["kind"])
			if kind == "" {
				kind = "no kind"
			}
			res.Skipped = append(res.Skipped, fmt.Sprintf("document %d (line %d): %s, not a Template; skipped", d.Index+1, d.Line, kind))
			continue
		}
		res.Templates++
		fs := v.ValidateDoc(d)
		for i := range fs {
			fs[i].doc = d.Index
		}
		res.Findings = append(res.Findings, fs...)
	}
	res.Valid = !HasErrors(res.Findings)
	return res
}

// ValidatePaths validates files (stdin for "-") with the default cap.
func (v *Validator) ValidatePaths(paths []string, stdin io.Reader) (*Report, error) {
	return v.ValidatePathsWith(context.Background(), paths, stdin, boundedio.Input())
}

// ValidatePathsWith validates files (stdin for "-"), each read through
// boundedio: regular files only (a FIFO would block), at most lim, and
// stopping when ctx is cancelled.
func (v *Validator) ValidatePathsWith(ctx context.Context, paths []string, stdin io.Reader, lim boundedio.Limit) (*Report, error) {
	rep := &Report{Files: []FileResult{}}
	for _, p := range paths {
		var data []byte
		var err error
		if p == "-" {
			if stdin == nil {
				stdin = strings.NewReader("")
			}
			data, err = boundedio.ReadAll(ctx, stdin, "stdin", lim)
		} else {
			data, err = boundedio.ReadFile(ctx, p, lim)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		rep.Files = append(rep.Files, v.ValidateBytes(p, data))
	}
	return rep, nil
}
