package assistant

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/output"
)

var backtickRef = regexp.MustCompile("`([a-z][a-z0-9_-]*:[a-z0-9_./-]+)`")

// WriteText renders an answer for people: the answer (unless it was
// already streamed), then its sources. Refs are coloured when colour is on
// and left in backticks otherwise, so piped text stays copy-pasteable.
func WriteText(w io.Writer, st *output.Styles, g *catalog.Graph, ans *Answer) error {
	var b strings.Builder
	if !ans.Streamed {
		// The answer quotes catalog text (and a model wrote it): shown, not
		// obeyed, by the terminal.
		text := output.Sanitize(ans.Answer)
		if st.Color {
			text = backtickRef.ReplaceAllStringFunc(text, func(m string) string {
				return st.Ref.Render(strings.Trim(m, "`"))
			})
		}
		b.WriteString(strings.TrimRight(text, "\n") + "\n")
	}
	if len(ans.Citations) > 0 {
		b.WriteString("\n" + st.Bold.Render("Sources") + "\n")
		width := 0
		for _, c := range ans.Citations {
			width = max(width, len(c))
		}
		for _, c := range ans.Citations {
			title := ""
			if e, ok := g.Get(c); ok {
				title = output.Sanitize(DisplayName(e))
			}
			pad := strings.Repeat(" ", width-len(c))
			fmt.Fprintf(&b, "  %s%s  %s\n", st.Ref.Render(output.Sanitize(c)), pad, st.Dim.Render(title))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown renders an answer as Markdown (for pasting into an issue
// or chat): the answer, then its sources as a list.
func WriteMarkdown(w io.Writer, g *catalog.Graph, ans *Answer) error {
	var b strings.Builder
	b.WriteString("**" + output.Sanitize(strings.TrimSpace(ans.Question)) + "**\n\n")
	for _, line := range strings.Split(output.Sanitize(strings.TrimSpace(ans.Answer)), "\n") {
		// Offline detail lines are indented; Markdown would read them as code.
		b.WriteString(strings.TrimLeft(line, " ") + "\n")
	}
	if len(ans.Citations) > 0 {
		b.WriteString("\nSources:\n\n")
		for _, c := range ans.Citations {
			title := c
			if e, ok := g.Get(c); ok {
				title = DisplayName(e)
			}
			fmt.Fprintf(&b, "- %s (`%s`)\n", output.Sanitize(title), output.Sanitize(c))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
