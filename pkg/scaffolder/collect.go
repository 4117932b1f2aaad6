package scaffolder

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/textdist"
)

// CollectFiles expands arguments: a directory means every .yaml/.yml below
// it (hidden folders, node_modules and template skeleton/ folders, whose
// files are content rather than templates, are skipped), a glob (quoted, so
// the shell left it alone; ** crosses folders) its matches, "-" stdin.
// Anything that yields no file is a usage error (exit 2), so a CI job with
// a mistyped path fails instead of passing on "0 templates".
func CollectFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if a == "-" {
			out = append(out, a)
			continue
		}
		if hasGlobMeta(a) {
			if _, err := os.Lstat(a); err != nil { // a file really named with '*' is taken as is
				m, err := doublestar.FilepathGlob(a, doublestar.WithFilesOnly(), doublestar.WithNoFollow())
				if err != nil {
					return nil, errs.Usage("invalid glob %q: %v", a, err).WithHint("quote globs such as 'templates/**/*.yaml'")
				}
				m = yamlOnly(m)
				if len(m) == 0 {
					return nil, errs.Usage("no .yaml/.yml file matches %s", a).WithHint("check the pattern; ** matches any number of folders, e.g. 'templates/**/template.yaml'")
				}
				sort.Strings(m)
				out = append(out, m...)
				continue
			}
		}
		st, err := os.Stat(a)
		if err != nil {
			if os.IsNotExist(err) {
				return nil, errs.Usage("no such file or folder: %s", a).WithHint("%s", pathHint(a))
			}
			return nil, errs.Usage("cannot read %s: %w", a, err).WithHint("pass template files, folders, quoted globs or - for stdin")
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := e.Name()
			if e.IsDir() {
				if p != a && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "skeleton") {
					return filepath.SkipDir
				}
				return nil
			}
			if isYAMLName(name) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", a, err)
		}
		if len(found) == 0 {
			return nil, errs.Usage("no .yaml/.yml files in %s", a).WithHint("point at the folder holding your template.yaml files (skeleton/, node_modules and hidden folders are not searched)")
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, "*?[{") }

func isYAMLName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

func yamlOnly(ps []string) []string {
	var out []string
	for _, p := range ps {
		if isYAMLName(p) {
			out = append(out, p)
		}
	}
	return out
}

// pathHint suggests a sibling close to a mistyped path.
func pathHint(p string) string {
	dir, base := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err == nil {
		best, bestD := "", 1<<30
		for _, e := range ents {
			if d := textdist.Levenshtein(strings.ToLower(base), strings.ToLower(e.Name())); d < bestD {
				best, bestD = e.Name(), d
			}
		}
		if best != "" && bestD <= max(2, len(base)/4) {
			return fmt.Sprintf("did you mean %s?", filepath.Join(filepath.Dir(p), best))
		}
	}
	return "pass template files, folders, quoted globs or - for stdin"
}
