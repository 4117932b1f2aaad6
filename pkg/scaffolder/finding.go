// Package scaffolder validates and generates Backstage scaffolder templates
// (scaffolder.backstage.io/v1beta3): the official JSON Schema, semantic
// rules with stable ids, an actions catalogue (live from a backend or
// built in), and model-backed generation with validator-driven repairs.
package scaffolder

import (
	"sort"
	"strconv"
	"strings"
)

// Severity of a finding.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
	SevNote    Severity = "note"
)

// Finding is one problem found in a template. Path is a JSON path such as
// spec.steps[2].input.url; Line/Column point into the YAML file (0 = unknown).
type Finding struct {
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
	Path     string   `json:"path"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	// Suggestion is the did-you-mean candidate, when there is one.
	Suggestion string `json:"suggestion,omitempty"`
	// Fix, when set, is the edit --fix applies: Old replaced by New in
	// the value at Path.
	Fix *Fix `json:"fix,omitempty"`
	// segs is Path as segments and doc the document's index in its file,
	// to find the value again when fixing.
	segs []any
	doc  int
}

// Fix is one known fix: the first Old in the string at the finding's path
// becomes New.
type Fix struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// FileResult is the outcome for one file (or one document of stdin).
type FileResult struct {
	Path     string    `json:"path"`
	Valid    bool      `json:"valid"`
	Findings []Finding `json:"findings"`
	// Templates counts the Template documents checked in the file.
	Templates int `json:"templates"`
	// Skipped lists notes about documents that are not templates.
	Skipped []string `json:"skipped,omitempty"`
	// src is the file's text, for source lines under findings on a TTY
	// and for --fix.
	src []byte
}

// Report is the result of `template validate`, the documented -o json shape.
type Report struct {
	Files []FileResult `json:"files"`
}

// Errors counts error findings over all files.
func (r *Report) Errors() int { return r.count(SevError) }

// Warnings counts warning findings over all files.
func (r *Report) Warnings() int { return r.count(SevWarning) }

func (r *Report) count(sev Severity) int {
	n := 0
	for _, f := range r.Files {
		for _, x := range f.Findings {
			if x.Severity == sev {
				n++
			}
		}
	}
	return n
}

// HasErrors reports whether any error finding exists.
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SevError {
			return true
		}
	}
	return false
}

// Strict turns warnings into errors (the --strict flag).
func Strict(fs []Finding) {
	for i := range fs {
		if fs[i].Severity == SevWarning {
			fs[i].Severity = SevError
		}
	}
}

// sortFindings orders findings by position, then rule, so output is stable.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// jsonPath renders path segments as a.b[0]['c.d'].
func jsonPath(segs []any) string {
	var sb strings.Builder
	for _, s := range segs {
		switch v := s.(type) {
		case int:
			sb.WriteString("[" + strconv.Itoa(v) + "]")
		case string:
			if isIdent(v) {
				if sb.Len() > 0 {
					sb.WriteByte('.')
				}
				sb.WriteString(v)
			} else {
				sb.WriteString("['" + strings.ReplaceAll(v, "'", "\\'") + "']")
			}
		}
	}
	return sb.String()
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}

// child appends a segment to a path without aliasing the parent's array.
func child(p []any, seg any) []any {
	out := make([]any, len(p), len(p)+1)
	copy(out, p)
	return append(out, seg)
}
