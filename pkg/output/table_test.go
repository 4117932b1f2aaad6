package output

import (
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
)

func TestTableFitsWidthWithoutCuttingRefs(t *testing.T) {
	tb := &Table{
		Columns: []Column{{Header: "REF"}, {Header: "TITLE", Shrink: true}, {Header: "OWNER"}},
		Rows: [][]string{
			{"component:default/a-rather-long-service-name", "A title that goes on and on about what the service does", "group:default/team-x"},
			{"api:default/x", "日本語のタイトルはとても長いです日本語のタイトル", "group:default/team-y"},
		},
		Width: 80,
	}
	var b strings.Builder
	if err := tb.Write(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for _, l := range lines {
		if w := xansi.StringWidth(l); w > 80 {
			t.Errorf("line %d cells wide: %q", w, l)
		}
	}
	for _, ref := range []string{"component:default/a-rather-long-service-name", "group:default/team-x", "api:default/x", "group:default/team-y"} {
		if !strings.Contains(b.String(), ref) {
			t.Errorf("ref %s was cut:\n%s", ref, b.String())
		}
	}
	if !strings.Contains(lines[1], "…") {
		t.Errorf("long title not truncated: %q", lines[1])
	}
	// Columns line up by display width: OWNER starts at the same cell.
	col := func(l string) int { return xansi.StringWidth(l[:strings.Index(l, "group:")]) }
	if col(lines[1]) != col(lines[2]) {
		t.Errorf("owner column misaligned with wide runes:\n%s", b.String())
	}

	// Width 0 (piped): nothing is cut.
	tb.Width = 0
	b.Reset()
	_ = tb.Write(&b)
	if !strings.Contains(b.String(), "what the service does") {
		t.Errorf("piped output truncated:\n%s", b.String())
	}
}

func TestTableDropsOptionalColumnsWhenUncuttableColumnsFill(t *testing.T) {
	tb := &Table{
		Columns: []Column{{Header: "REF"}, {Header: "TITLE", Shrink: true, Optional: true}, {Header: "OWNER"}, {Header: "LIFECYCLE", Optional: true}},
		Rows:    [][]string{{strings.Repeat("r", 35), "some title that is long", strings.Repeat("o", 25), "production"}},
		Width:   80,
	}
	var b strings.Builder
	_ = tb.Write(&b)
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if xansi.StringWidth(l) > 80 {
			t.Errorf("too wide: %q", l)
		}
	}
	if strings.Contains(b.String(), "LIFECYCLE") || !strings.Contains(b.String(), "TITLE") {
		t.Errorf("want lifecycle dropped first, title kept (shrunk):\n%s", b.String())
	}
}
