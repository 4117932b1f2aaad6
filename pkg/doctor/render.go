package doctor

import (
	"fmt"
	"io"

	"github.com/bsai-dev/bsai/pkg/output"
)

var groupTitles = map[string]string{
	"config": "Config", "backstage": "Backstage", "catalog": "Catalog", "model": "Model provider",
	"mcp": "MCP servers", "incident": "Incident sources",
}

// WriteText prints the report grouped, one line per check, with its hint
// under it, then the paths and a summary line.
func WriteText(w io.Writer, rep Report, st *output.Styles) error {
	ew := &errWriter{w: w}
	group := ""
	for _, c := range rep.Checks {
		if c.Group != group {
			group = c.Group
			title := groupTitles[group]
			if title == "" {
				title = group
			}
			ew.printf("%s\n", st.Bold.Render(title))
		}
		mark := map[Status]string{OK: st.OK.Render("✓"), Warn: st.Warn.Render("!"), Fail: st.Err.Render("✗"), Skip: st.Dim.Render("-")}[c.Status]
		ew.printf("  %s %s: %s\n", mark, c.Name, c.Detail)
		if c.Hint != "" && c.Status != OK {
			ew.printf("      %s\n", st.Dim.Render("hint: "+c.Hint))
		}
	}
	if len(rep.Paths) > 0 {
		ew.printf("%s\n", st.Bold.Render("Paths"))
		width := 0
		for _, p := range rep.Paths {
			width = max(width, len(p.Name))
		}
		for _, p := range rep.Paths {
			ew.printf("  %-*s  %s\n", width, p.Name, p.Path)
		}
	}
	switch rep.Problems {
	case 0:
		ew.printf("\n%s\n", st.OK.Render("no problems found"))
	case 1:
		ew.printf("\n%s\n", st.Err.Render("1 problem found"))
	default:
		ew.printf("\n%s\n", st.Err.Render(fmt.Sprintf("%d problems found", rep.Problems)))
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
