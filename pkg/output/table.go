package output

import (
	"io"
	"strings"

	xansi "github.com/charmbracelet/x/ansi"
)

// Column describes one table column.
type Column struct {
	Header string
	// Shrink lets the column be truncated (with "…") when the table is
	// wider than the terminal. Columns holding refs, ids or URLs people
	// copy leave it false: they are never cut.
	Shrink bool
	// Min is the narrowest a shrinking column gets (default 8).
	Min int
	// Optional columns are left out, last first, when the table does not
	// fit even with every shrinkable column at its minimum.
	Optional bool
}

// Table is a text table laid out by display width (wide CJK runes count
// two cells, escape codes none), so columns line up where tabwriter's
// rune counts do not.
type Table struct {
	Columns []Column
	Rows    [][]string
	// Width is the terminal width to fit; 0 means no limit (piped output
	// stays complete, one row per line).
	Width int
	// Indent is printed before every line.
	Indent string
	// HeaderStyle renders the header cells (e.g. bold); nil leaves them plain.
	HeaderStyle func(string) string
}

const colGap = 2

// Write lays the table out and writes it. When Width is set and the rows
// are wider, shrinkable columns lose width, widest first, down to their
// minimum; what is left over (unshrinkable columns wider than the screen)
// overflows rather than being cut.
func (t *Table) Write(w io.Writer) error {
	n := len(t.Columns)
	widths := make([]int, n)
	for i, c := range t.Columns {
		widths[i] = xansi.StringWidth(c.Header)
	}
	for _, r := range t.Rows {
		for i := 0; i < n && i < len(r); i++ {
			widths[i] = max(widths[i], xansi.StringWidth(oneLineCell(r[i])))
		}
	}
	hidden := make([]bool, n)
	if t.Width > 0 {
		natural := append([]int(nil), widths...)
		for !fit(t.Columns, widths, hidden, t.Width-xansi.StringWidth(t.Indent)) {
			drop := -1
			for i := n - 1; i >= 0; i-- {
				if t.Columns[i].Optional && !hidden[i] {
					drop = i
					break
				}
			}
			if drop < 0 {
				break // what is left cannot be cut: it overflows
			}
			hidden[drop] = true
			copy(widths, natural)
		}
	}
	last := n - 1
	for last > 0 && hidden[last] {
		last--
	}
	var b strings.Builder
	line := func(cells []string, style func(string) string) {
		b.WriteString(t.Indent)
		for i := 0; i < n; i++ {
			if hidden[i] {
				continue
			}
			cell := ""
			if i < len(cells) {
				cell = oneLineCell(cells[i])
			}
			if xansi.StringWidth(cell) > widths[i] {
				cell = xansi.Truncate(cell, widths[i], "…")
			}
			pad := widths[i] - xansi.StringWidth(cell)
			if style != nil {
				cell = style(cell)
			}
			b.WriteString(cell)
			if i < last {
				b.WriteString(strings.Repeat(" ", pad+colGap))
			}
		}
		b.WriteString("\n")
	}
	headers := make([]string, n)
	hasHeader := false
	for i, c := range t.Columns {
		headers[i] = c.Header
		hasHeader = hasHeader || c.Header != ""
	}
	if hasHeader { // a table without headers is a plain aligned list
		line(headers, t.HeaderStyle)
	}
	for _, r := range t.Rows {
		line(r, nil)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// fit shrinks the visible shrinkable columns until the row fits in width
// and reports whether it does.
func fit(cols []Column, widths []int, hidden []bool, width int) bool {
	total := func() int {
		s, shown := 0, 0
		for i, w := range widths {
			if !hidden[i] {
				s += w
				shown++
			}
		}
		return s + colGap*max(shown-1, 0)
	}
	for total() > width {
		// Take one cell from the widest shrinkable column above its
		// minimum; repeat. Columns end up balanced, not the last one
		// starved.
		best := -1
		for i, c := range cols {
			lo := c.Min
			if lo <= 0 {
				lo = 8
			}
			if c.Shrink && !hidden[i] && widths[i] > lo && (best < 0 || widths[i] > widths[best]) {
				best = i
			}
		}
		if best < 0 {
			return false
		}
		widths[best]--
	}
	return true
}

// oneLineCell keeps a row on one line: newlines and tabs in a value become
// spaces.
func oneLineCell(s string) string {
	if strings.ContainsAny(s, "\n\r\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	// Cells hold data (catalog text): control sequences are shown, never
	// sent, even with colour on (see Sanitize).
	return Sanitize(s)
}
