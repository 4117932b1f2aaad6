package archtest

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// exampleNames reads the names of the bundled example data from
// examples/ at test time, so this test keeps no list of its own: every
// compound name (payments-api style), every User, and the organization
// Group. Single-word names of other kinds are ordinary words ("edge",
// "platform") and would flag honest code.
func exampleNames(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "examples", "catalog", "*.yaml"))
	tpls, _ := filepath.Glob(filepath.Join(root, "examples", "templates", "*", "template.yaml"))
	files = append(files, tpls...)
	if len(files) == 0 {
		t.Fatal("no example data under examples/")
	}
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc struct {
				Kind     string
				Metadata struct{ Name string }
				Spec     struct{ Type string }
			}
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			n := doc.Metadata.Name
			if n != "" && (strings.Contains(n, "-") || doc.Kind == "User" || doc.Kind == "Group" && doc.Spec.Type == "organization") {
				seen[strings.ToLower(n)] = true
			}
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) < 10 {
		t.Fatalf("only %d example names found: %v", len(names), names)
	}
	return names
}

// runtimeGoFiles are the non-test Go files under cmd/ and pkg/, without
// the test-double packages (pkg/…/xxxtest), which only tests import.
func runtimeGoFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{"cmd", "pkg"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" || strings.HasSuffix(d.Name(), "test") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// No runtime code — messages, hints, prompts, tool descriptions, help,
// comments — may mention the bundled example data: a hint must name a ref
// from the loaded catalog or a neutral placeholder, and code must not
// special-case the example.
func TestNoExampleNamesInRuntimeCode(t *testing.T) {
	names := exampleNames(t)
	alt := make([]string, len(names))
	for i, n := range names {
		alt[i] = regexp.QuoteMeta(n)
	}
	// A name as a whole token: not part of a longer identifier or name.
	re := regexp.MustCompile(`(?i)(?:^|[^a-z0-9_-])(` + strings.Join(alt, "|") + `)(?:$|[^a-z0-9_])`)
	files := runtimeGoFiles(t)
	if len(files) < 50 {
		t.Fatalf("only %d Go files found under cmd/ and pkg/", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := re.FindStringSubmatch(line); m != nil {
				rel, _ := filepath.Rel(root, f)
				t.Errorf("%s:%d names the example data (%s): %s", rel, i+1, m[1], strings.TrimSpace(line))
			}
		}
	}
}

// The matcher itself: a name is found as a token, not inside a longer one.
func TestExampleNameMatcher(t *testing.T) {
	re := regexp.MustCompile(`(?i)(?:^|[^a-z0-9_-])(` + regexp.QuoteMeta("data-team") + `)(?:$|[^a-z0-9_])`)
	for s, want := range map[string]bool{
		`owner "group:default/data-team"`: true,
		"data-team":                       true,
		"Data-Team owns it":               true,
		"big-data-team":                   false,
		"data-teams":                      false,
		"data_team":                       false,
	} {
		if got := re.MatchString(s); got != want {
			t.Errorf("%q: match %v, want %v", s, got, want)
		}
	}
}
