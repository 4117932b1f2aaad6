package scaffolder

import (
	"fmt"
	"strings"
	"testing"
)

// A file with more fixable typos than maxFixes gets maxFixes edits per run
// (each edit re-parses the file), the rest are reported as skipped, and a
// second run finishes the job.
func TestFixCapPerRun(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: many}\nspec:\n  owner: group:default/a\n  type: service\n  parameters:\n    - properties:\n        name: {type: string}\n  steps:\n")
	n := maxFixes + 30
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "    - id: s%d\n      name: S\n      action: debug:log\n      input: {message: '${{ parameters.nmae }}'}\n", i)
	}
	v := newTestValidator(t)
	src := []byte(sb.String())
	ff := v.Fix(v.ValidateBytes("many.yaml", src))
	if len(ff.Applied) != maxFixes || len(ff.Skipped) != n-maxFixes {
		t.Fatalf("applied %d, skipped %d", len(ff.Applied), len(ff.Skipped))
	}
	ff = v.Fix(v.ValidateBytes("many.yaml", ff.After))
	if len(ff.Applied) != n-maxFixes || strings.Contains(string(ff.After), "nmae") {
		t.Fatalf("second run applied %d", len(ff.Applied))
	}
	if got, want := string(ff.After), strings.ReplaceAll(string(src), "nmae", "name"); got != want {
		t.Fatal("the file changed elsewhere")
	}
}
