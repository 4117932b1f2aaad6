package scaffolder

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/bsai-dev/bsai/pkg/output"
)

// WriteText prints findings as `file:line:col: severity rule: message`
// (the shape editors and CI logs understand), then a summary line.
func WriteText(w io.Writer, rep *Report, st *output.Styles) error {
	return WriteTextSource(w, rep, st, false)
}

// WriteTextSource is WriteText that, when source is set (a terminal),
// also prints each finding's source line with a caret under the column and
// the did-you-mean right there. Documents that are not templates are
// counted in one note, not one line per file.
func WriteTextSource(w io.Writer, rep *Report, st *output.Styles, source bool) error {
	if st == nil {
		st = output.NewStyles(false)
	}
	skippedDocs, skippedFiles, empty := 0, 0, 0
	kinds := map[string]int{}
	for _, f := range rep.Files {
		if len(f.Skipped) > 0 {
			skippedFiles++
		}
		for _, s := range f.Skipped {
			skippedDocs++
			kinds[skippedKind(s)]++
		}
		if f.Templates == 0 && len(f.Findings) == 0 && len(f.Skipped) == 0 {
			empty++
		}
		var lines []string
		if source && f.src != nil {
			lines = strings.Split(string(f.src), "\n")
		}
		for _, x := range f.Findings {
			sev := string(x.Severity)
			switch x.Severity {
			case SevError:
				sev = st.Err.Render(sev)
			case SevWarning:
				sev = st.Warn.Render(sev)
			}
			loc := f.Path
			if x.Line > 0 {
				loc = fmt.Sprintf("%s:%d:%d", f.Path, x.Line, x.Column)
			}
			msg := x.Message
			if x.Path != "" {
				msg += st.Dim.Render(" (" + x.Path + ")")
			}
			fmt.Fprintf(w, "%s: %s %s: %s\n", loc, sev, x.Rule, msg)
			if x.Line > 0 && x.Line <= len(lines) {
				writeCaret(w, st, lines[x.Line-1], x)
			}
		}
	}
	if skippedDocs > 0 {
		var parts []string
		for _, k := range sortedKeys(kinds) {
			parts = append(parts, fmt.Sprintf("%s %d", k, kinds[k]))
		}
		fmt.Fprintf(w, "note: skipped %d document(s) that are not templates in %d file(s) (%s)\n", skippedDocs, skippedFiles, strings.Join(parts, ", "))
	}
	if empty > 0 {
		fmt.Fprintf(w, "note: %d file(s) hold no YAML documents\n", empty)
	}
	n := 0
	for _, f := range rep.Files {
		n += f.Templates
	}
	summary := fmt.Sprintf("%d template(s) in %d file(s): %d error(s), %d warning(s)", n, len(rep.Files), rep.Errors(), rep.Warnings())
	if rep.Errors() == 0 {
		summary = st.OK.Render(summary)
	} else {
		summary = st.Err.Render(summary)
	}
	_, err := fmt.Fprintln(w, summary)
	return err
}

// skippedKind reads the kind back out of a Skipped note.
func skippedKind(note string) string {
	_, rest, ok := strings.Cut(note, "): ")
	if !ok {
		return "other"
	}
	k, _, _ := strings.Cut(rest, ", not a Template")
	return k
}

// writeCaret prints the source line (clipped around the column on long
// lines) and a caret under the column, with the did-you-mean.
func writeCaret(w io.Writer, st *output.Styles, line string, x Finding) {
	rs := []rune(strings.TrimRight(line, "\r"))
	col := max(x.Column, 1) - 1
	start := 0
	if col > 80 {
		start = col - 60
	}
	end := min(len(rs), start+160)
	if col > len(rs) {
		col = len(rs)
	}
	shown := sanitizeLine(string(rs[min(start, len(rs)):end]))
	gutter := fmt.Sprintf("%5d | ", x.Line)
	fmt.Fprintf(w, "%s%s\n", st.Dim.Render(gutter), shown)
	caret := "^"
	if x.Fix != nil && x.Fix.Old != "" && col < len(rs) {
		// Point at the very characters the fix replaces.
		if i := strings.Index(string(rs[col:]), x.Fix.Old); i >= 0 {
			col += len([]rune(string(rs[col:])[:i]))
			caret += strings.Repeat("~", max(len([]rune(x.Fix.Old))-1, 0))
		}
	}
	if x.Suggestion != "" {
		caret += fmt.Sprintf(" did you mean %q?", x.Suggestion)
	}
	fmt.Fprintf(w, "%s%s%s\n", st.Dim.Render(strings.Repeat(" ", 5)+" | "), strings.Repeat(" ", max(col-start, 0)), st.Warn.Render(caret))
}

// sanitizeLine keeps control characters of a hostile file off the
// terminal.
func sanitizeLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

// WriteGitHub prints workflow commands that GitHub Actions turns into
// annotations on the pull request diff.
func WriteGitHub(w io.Writer, rep *Report) error {
	for _, f := range rep.Files {
		for _, x := range f.Findings {
			props := "file=" + ghProp(filepath.ToSlash(f.Path))
			if x.Line > 0 {
				props += fmt.Sprintf(",line=%d,col=%d", x.Line, x.Column)
			}
			props += ",title=" + ghProp("bsai "+x.Rule)
			if _, err := fmt.Fprintf(w, "::%s %s::%s\n", ciLevel(x.Severity, "notice"), props, ghData(x.withPath())); err != nil {
				return err
			}
		}
	}
	return nil
}

// ciLevel is what a CI format calls sev; GitHub and SARIF differ only in
// the word for a note ("notice", "note").
func ciLevel(sev Severity, note string) string {
	switch sev {
	case SevWarning:
		return "warning"
	case SevNote:
		return note
	}
	return "error"
}

// withPath is the message with the place in the document it is about.
func (x Finding) withPath() string {
	if x.Path != "" {
		return x.Message + " (" + x.Path + ")"
	}
	return x.Message
}

// Escaping rules of GitHub workflow commands.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// SARIF 2.1.0, the subset GitHub code scanning reads.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// WriteSARIF writes a SARIF 2.1.0 log for code scanning upload.
func WriteSARIF(w io.Writer, rep *Report, version string) error {
	ids := sortedKeys(RuleDescriptions)
	index := map[string]int{}
	rules := make([]sarifRule, len(ids))
	for i, id := range ids {
		index[id] = i
		rules[i] = sarifRule{ID: id, ShortDescription: sarifMessage{Text: RuleDescriptions[id]}}
	}
	results := []sarifResult{}
	for _, f := range rep.Files {
		for _, x := range f.Findings {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: filepath.ToSlash(f.Path)}}}
			if x.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: x.Line, StartColumn: x.Column}
			}
			results = append(results, sarifResult{RuleID: x.Rule, RuleIndex: index[x.Rule], Level: ciLevel(x.Severity, "note"), Message: sarifMessage{Text: x.withPath()}, Locations: []sarifLocation{loc}})
		}
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:    sarifTool{Driver: sarifDriver{Name: "bsai", Version: version, InformationURI: "https://github.com/bsai-dev/bsai", Rules: rules}},
			Results: results,
		}},
	}
	return output.WriteJSON(w, log)
}
