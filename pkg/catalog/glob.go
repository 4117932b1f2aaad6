package catalog

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// walked describes a folder walk: its root and the files it found that
// are symlinks. WalkDir follows no link, so every other file lies below
// the root's real path, and confinement need only resolve the root and
// the links (one EvalSymlinks per file was most of re-checking a
// snapshot of a catalog of one file per service).
type walked struct {
	root  string
	links map[string]bool
}

// expand turns a file, folder or glob into a sorted list of files; w is
// set when it walked a folder.
func expand(p string) (files []string, w *walked, err error) {
	if strings.ContainsAny(p, "*?[") {
		files, err = glob(p)
		return files, nil, err
	}
	st, err := os.Stat(p)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil, nil
		}
		return nil, nil, unwrapPathErr(err)
	}
	if !st.IsDir() {
		return []string{p}, nil, nil
	}
	var out []string
	w = &walked{root: p, links: map[string]bool{}}
	root := walkRoot(p)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable corners are skipped, not fatal
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if isYAML(path) {
			out = append(out, path)
			if d.Type()&fs.ModeSymlink != 0 {
				w.links[path] = true
			}
		}
		return nil
	})
	return out, w, err
}

// walkRoot is what to give WalkDir for the folder p: a walk follows no
// link, not even its root, so a folder given through a symlink
// (~/catalog -> ~/src/catalog) is walked through the link's name with a
// trailing separator, which the file system resolves.
func walkRoot(p string) string {
	if lst, err := os.Lstat(p); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
		return p + string(filepath.Separator)
	}
	return p
}

// skipDir says which folders a folder walk never enters: hidden ones,
// node_modules, and scaffolder template skeletons, whose catalog-info.yaml
// files are templates full of ${{ values.x }}, not entities.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "skeleton"
}

func isYAML(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".yaml" || ext == ".yml"
}

// glob supports filepath.Match syntax plus "**" for any depth (zero or
// more folders). "**" patterns are expanded in one walk of the folder
// before the first "**", each file matched with doublestar, whose matcher
// is linear in the pattern and path; the recursive matcher before it was
// exponential in the number of "**" (12 of them over a deep tree took
// minutes).
func glob(pattern string) ([]string, error) {
	if !strings.Contains(pattern, "**") {
		m, err := filepath.Glob(pattern)
		if err != nil {
			return nil, fmt.Errorf("bad glob %q: %w", pattern, err)
		}
		return filterFiles(m), nil
	}
	i := strings.Index(pattern, "**")
	root := filepath.Dir(pattern[:i] + "x")
	rest := filepath.ToSlash(pattern[len(root):])
	rest = strings.TrimPrefix(rest, "/")
	if !doublestar.ValidatePattern(rest) {
		return nil, fmt.Errorf("bad glob %q: %w", pattern, doublestar.ErrBadPattern)
	}
	var out []string
	root = walkRoot(root)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() && path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if ok, _ := doublestar.Match(rest, filepath.ToSlash(rel)); ok {
			out = append(out, path)
		}
		return nil
	})
	if os.IsNotExist(err) {
		return nil, nil
	}
	return out, err
}

func filterFiles(paths []string) []string {
	var out []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
