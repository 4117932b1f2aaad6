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

// FuzzFix: whatever the file, --fix either leaves it byte for byte or
// produces a file that parses, has no more errors, and differs from the
// original only where fixes were applied (same length change as the
// applied edits).
// Run locally: go test ./pkg/scaffolder -run '^$' -fuzz FuzzFix -fuzztime 30s
func FuzzFix(f *testing.F) {
	base := "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: f}\nspec:\n  owner: group:default/a\n  type: service\n" +
		"  parameters:\n    - properties:\n        name: {type: string}\n  steps:\n    - id: fetch\n      name: F\n      action: fetch:templat\n" +
		"      input: {url: ./s, values: {n: '${{ parameters.nmae }}'}}\n    - id: p\n      name: P\n      action: debug:log\n      input:\n        message: \"${{ steps['fetc'].output.x }}\"\n"
	for _, s := range []string{"", "# comment\n", "\"", "'", "${{", "\\u00e9", "&a", "*a", "<<: *a", "\t", "é", "nmae", "steps.fetc"} {
		f.Add(s, 100)
	}
	v, err := NewValidator(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, insert string, at int) {
		if at < 0 {
			at = -at
		}
		at %= len(base) + 1
		src := []byte(base[:at] + insert + base[at:])
		res := v.ValidateBytes("f.yaml", src)
		ff := v.Fix(res)
		if string(ff.Before) != string(src) {
			t.Fatal("Before is not the input")
		}
		if len(ff.Applied) == 0 {
			if string(ff.After) != string(src) {
				t.Fatal("changed the file without applying a fix")
			}
			return
		}
		delta := 0
		for _, a := range ff.Applied {
			delta += len(a.Fix.New) - len(a.Fix.Old)
		}
		if len(ff.After)-len(src) != delta {
			t.Fatalf("length changed by %d, edits account for %d", len(ff.After)-len(src), delta)
		}
		after := v.ValidateBytes("f.yaml", ff.After)
		if countErrors(after.Findings) > countErrors(res.Findings) {
			t.Fatalf("fix added errors: %v", after.Findings)
		}
	})
}
