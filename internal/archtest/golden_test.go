package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Golden files go through internal/golden: one Check, one -update flag. A
// package defining its own -update flag is a copy of the helper.
func TestOneGoldenHelper(t *testing.T) {
	flagDef := regexp.MustCompile(`flag\.(Bool|BoolVar)\([^)]*"update"`)
	n := 0
	for _, dir := range []string{"cmd", "pkg", "internal", "test"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.Contains(filepath.ToSlash(p), "internal/golden/") ||
				strings.HasSuffix(p, "golden_test.go") && strings.Contains(filepath.ToSlash(p), "internal/archtest/") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			n++
			if flagDef.Match(b) {
				rel, _ := filepath.Rel(root, p)
				t.Errorf("%s defines its own -update flag; use internal/golden.Check", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 100 {
		t.Fatalf("only %d Go files read", n)
	}
	if !flagDef.MatchString(`var update = flag.Bool("update", false, "rewrite")`) {
		t.Fatal("the pattern no longer recognises a flag definition")
	}
}
