package scaffolder

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/aymanbagabas/go-udiff"
)

// maxFixes bounds the edits --fix makes to one file in one run.
const maxFixes = 100

// FileFix is what --fix does to one file.
type FileFix struct {
	Path string
	// Applied are the findings whose fix was applied.
	Applied []Finding
	// Skipped are fixable findings whose edit could not be placed safely
	// (e.g. inside an escaped quoted string); the file keeps them.
	Skipped []Finding
	Before  []byte
	After   []byte
}

// Diff is a unified diff of the fix ("" when nothing changed).
func (f *FileFix) Diff() string {
	if bytes.Equal(f.Before, f.After) {
		return ""
	}
	return udiff.Unified("a/"+filepath.ToSlash(f.Path), "b/"+filepath.ToSlash(f.Path), string(f.Before), string(f.After))
}

// Fix applies the known fixes of res's findings to its source text. Edits
// are made on the original bytes at each value's position, so comments,
// quoting, indentation and everything else stay as the author wrote them;
// each edit is kept only if the file still parses and the value at the
// finding's path is now exactly the fixed value. No new error may appear:
// otherwise nothing is changed.
func (v *Validator) Fix(res FileResult) *FileFix {
	out := &FileFix{Path: res.Path, Before: res.src, After: res.src}
	var todo []Finding
	for _, f := range res.Findings {
		if f.Fix != nil && f.Fix.Old != "" && f.Line > 0 {
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		return out
	}
	// Last position first, so earlier offsets stay valid.
	sort.SliceStable(todo, func(i, j int) bool {
		if todo[i].Line != todo[j].Line {
			return todo[i].Line > todo[j].Line
		}
		return todo[i].Column > todo[j].Column
	})
	// Each edit re-parses the file to check itself; a hostile file with
	// thousands of typos must not make that quadratic, so one run applies
	// at most maxFixes (run --fix again for the rest).
	if len(todo) > maxFixes {
		out.Skipped = append(out.Skipped, todo[maxFixes:]...)
		todo = todo[:maxFixes]
	}
	cur := res.src
	for _, f := range todo {
		next, ok := applyOne(cur, f)
		if !ok {
			out.Skipped = append(out.Skipped, f)
			continue
		}
		cur = next
		out.Applied = append(out.Applied, f)
	}
	after := v.ValidateBytes(res.Path, cur)
	if countErrors(after.Findings) > countErrors(res.Findings) || (len(after.Findings) > 0 && after.Findings[0].Rule == RuleYAML) {
		out.Skipped = append(out.Skipped, out.Applied...)
		out.Applied = nil
		return out
	}
	out.After = cur
	return out
}

func countErrors(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == SevError {
			n++
		}
	}
	return n
}

// applyOne replaces the first Fix.Old at or after the finding's position
// and checks the result.
func applyOne(src []byte, f Finding) ([]byte, bool) {
	docs, err := ParseDocs(src)
	if err != nil || f.doc >= len(docs) {
		return nil, false
	}
	before, ok := valueAt(docs[f.doc].Value, f.segs).(string)
	if !ok || !strings.Contains(before, f.Fix.Old) {
		return nil, false
	}
	want := strings.Replace(before, f.Fix.Old, f.Fix.New, 1)
	off := offsetOf(src, f.Line, f.Column)
	if off < 0 {
		return nil, false
	}
	i := bytes.Index(src[off:], []byte(f.Fix.Old))
	if i < 0 {
		return nil, false
	}
	at := off + i
	next := make([]byte, 0, len(src)+len(f.Fix.New)-len(f.Fix.Old))
	next = append(next, src[:at]...)
	next = append(next, f.Fix.New...)
	next = append(next, src[at+len(f.Fix.Old):]...)
	ndocs, err := ParseDocs(next)
	if err != nil || len(ndocs) != len(docs) {
		return nil, false
	}
	if got, _ := valueAt(ndocs[f.doc].Value, f.segs).(string); got != want {
		return nil, false
	}
	// Nothing else in the document may have changed.
	if !sameExcept(docs[f.doc].Value, ndocs[f.doc].Value, f.segs) {
		return nil, false
	}
	return next, true
}

// sameExcept compares two documents, ignoring the value at path.
func sameExcept(a, b any, path []any) bool {
	if len(path) == 0 {
		return true
	}
	switch s := path[0].(type) {
	case string:
		am, bm := asMap(a), asMap(b)
		if am == nil || bm == nil || len(am) != len(bm) {
			return false
		}
		for k, av := range am {
			bv, ok := bm[k]
			if !ok {
				return false
			}
			if k == s {
				if !sameExcept(av, bv, path[1:]) {
					return false
				}
			} else if !reflect.DeepEqual(av, bv) {
				return false
			}
		}
		return true
	case int:
		as, bs := asSlice(a), asSlice(b)
		if len(as) != len(bs) {
			return false
		}
		for i := range as {
			if i == s {
				if !sameExcept(as[i], bs[i], path[1:]) {
					return false
				}
			} else if !reflect.DeepEqual(as[i], bs[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// offsetOf turns a 1-based line and column (in characters, as yaml.v3
// counts them) into a byte offset.
func offsetOf(src []byte, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(src) && src[off] != '\n'; c++ {
		_, size := utf8.DecodeRune(src[off:])
		off += size
	}
	return off
}

// WriteFileAtomic replaces path's content with data without ever leaving a
// partial file: a temporary file in the same folder, synced, given the
// original's mode, renamed over it. A symlink is followed so the link stays
// a link. If the file changed since it was read (want), nothing is written.
func WriteFileAtomic(path string, want, data []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(target)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	now, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	if !bytes.Equal(now, want) {
		return fmt.Errorf("%s changed while it was being fixed; not written", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".bsai-fix-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, target); err != nil {
		return err
	}
	ok = true
	return nil
}
