package catalog

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// trickyDocs exercise the edges of the fast path; each must either be
// declined or decode exactly as yaml.v3 does.
var trickyDocs = []string{
	"a: 1\nb: 1.5\nc: true\nd: ~\ne: null\nf: 0x1F\ng: 1e3\nh: .inf\ni: -1\nj: +1\nk: 2024-01-01\nl: 1_000\nm: 0o17\nn: -.5\no: 1.2.3\n",
	"a: yes\nb: no\nc: on\nd: off\ne: True\nf: FALSE\ng: Null\nh: '1'\ni: \"true\"\n",
	"a: \"esc \\\" \\\\ \\n \\t \\u00e9\"\nb: 'it''s'\nc: \"x\" # c\nd: 'y' # c\n",
	"a: plain # comment\nb: C# and F#\nc: url://x#frag\nd: a, b\ne: x:y\nf: -x\ng: \"\"\nh: ''\n",
	"list:\n- a\n- b\nnext: x\n",
	"list:\n  - a\n  -  b\n  - 'c'\n  - [x, y]\n  -\n    k: v\n  - k1: v1\n    k2: [1, 'two', \"three\"]\n  - - nested\n",
	"links:\n  - url: https://x\n    title: X\n  - url: https://y\n    icon: dashboard\n",
	"desc: |\n  line one\n    indented\n\n  # not a comment\n  last\nafter: 1\n",
	"desc: |-\n  stripped\n\n\nafter: 1\n",
	"desc: |+\n  keep\n\n",
	"desc: >\n  folded\n  text\n",
	"desc: |2\n   explicit\n",
	"multi: first\n  continued\n",
	"anchor: &a x\nalias: *a\n",
	"tag: !!str 1\n",
	"flow: {a: 1}\nempty: {}\nlist: []\n",
	"dup: 1\ndup: 2\n",
	"1: numeric\n",
	"\"quoted key\": x\n",
	"key : spaced\n",
	"a:\n  b:\n    c: deep\n  d: [resource:db, 'component:x', y]\n",
	"a: [unclosed\n",
	"a: [a, [b]]\n",
	"a: b: c\n",
	"a: x:\n",
	"a:\n- x\n  - y\n",
	"a:\n  b: 1\n c: 2\n",
	"---\na: 1\n",
	"--- \na: 1\n",
	"a: 1\n...\n",
	"a:\tb\n",
	"a: 1\r\nb: 2\r\n",
	"a: '\n  multi'\n",
	"a: -\n",
	"a: - x\n",
	"a: ? x\n",
	"a: :x\n",
	"a: \"\\x41\"\n",
	"a: \"\\/\"\n",
	"a: [\"a, b\", c]\n",
	"a: [a:b, c]\n",
	"a: [ ]\nb: [~, null, 1]\n",
	"seq:\n-\n- x\n",
	"k: v\n# trailing comment\n\n",
	"k: |\n  x",
	"k: |\n\n  x\n",
	"k: |\n \n  x\n",
	"k:\n  - a: 1\n    b:\n      - c\n  - d\n",
	"%YAML 1.2\n---\na: 1\n",
}

func TestFastYAMLMatchesYAMLv3(t *testing.T) {
	docs := append([]string(nil), trickyDocs...)
	for _, root := range []string{"testdata", filepath.Join("..", "..", "examples")} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isYAML(p) {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, doc := range splitDocuments(b) {
				docs = append(docs, string(doc))
			}
			return nil
		})
	}
	accepted := 0
	for _, doc := range docs {
		if checkFastAgainstYAML(t, doc) {
			accepted++
		}
	}
	t.Logf("fast path accepted %d of %d documents", accepted, len(docs))
	if accepted < len(docs)/2 {
		t.Errorf("fast path accepted only %d of %d documents", accepted, len(docs))
	}
}

// checkFastAgainstYAML fails t when the fast path accepts doc but decodes
// it differently from yaml.v3; it reports whether the fast path accepted.
func checkFastAgainstYAML(t *testing.T, doc string) bool {
	t.Helper()
	fast, ok := parseFast([]byte(doc))
	if !ok {
		return false
	}
	var slow map[string]any
	if err := yaml.Unmarshal([]byte(doc), &slow); err != nil {
		t.Errorf("fast path accepted a document yaml.v3 rejects (%v):\n%s", err, doc)
		return true
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Errorf("fast path differs from yaml.v3 on:\n%s\nfast: %#v\nslow: %#v", doc, fast, slow)
		return true
	}
	fe, ok := entityFromMap(fast)
	if !ok {
		return true
	}
	var se Entity
	if err := yaml.Unmarshal([]byte(doc), &se); err != nil {
		t.Errorf("entityFromMap accepted what yaml.v3 rejects (%v):\n%s", err, doc)
		return true
	}
	fe.Spec, se.Spec = normalizeMap(fe.Spec), normalizeMap(se.Spec)
	if !reflect.DeepEqual(fe, se) {
		t.Errorf("entity differs on:\n%s\nfast: %#v\nslow: %#v", doc, fe, se)
	}
	// The loader parses into reusable maps and releases them right after
	// entityFromMap: the entity must not keep any of them.
	scratch := docMapsPool.Get().(*docMaps)
	defer func() {
		if scratch != nil {
			scratch.release()
		}
	}()
	m, ok := parseFastInto([]byte(doc), scratch)
	if !ok {
		t.Errorf("parseFastInto rejected what parseFast accepted:\n%s", doc)
		return true
	}
	if re, ok := entityFromMap(m); ok {
		scratch.release()
		scratch = nil
		re.Spec = normalizeMap(re.Spec)
		if !reflect.DeepEqual(re, fe) {
			t.Errorf("entity from reused maps differs on:\n%s\nreused: %#v\nfresh: %#v", doc, re, fe)
		}
	} else {
		t.Errorf("entityFromMap rejected the reused-map parse of:\n%s", doc)
	}
	return true
}

func TestFastYAMLOnGenerated(t *testing.T) {
	// The benchmark's synthetic catalog must take the fast path, or the
	// numbers measure yaml.v3.
	data := genYAMLForTest()
	n, accepted := 0, 0
	for _, doc := range splitDocuments(data) {
		n++
		if checkFastAgainstYAML(t, string(doc)) {
			accepted++
		}
	}
	if accepted != n {
		t.Errorf("fast path accepted %d of %d generated documents", accepted, n)
	}
}

func genYAMLForTest() []byte {
	var b strings.Builder
	for i := 0; i < 50; i++ {
		if i > 0 {
			b.WriteString("---\n")
		}
		b.WriteString("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c-" + strings.Repeat("x", i%5) + "\n  tags:\n    - gen\nspec:\n  type: service\n  owner: team\n  providesApis:\n    - api-1\n  definition: |\n    openapi: 3.0.0\n    info:\n      title: x\n")
	}
	return []byte(b.String())
}

func FuzzFastYAML(f *testing.F) {
	for _, d := range trickyDocs {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) > 4096 {
			return
		}
		checkFastAgainstYAML(t, doc)
	})
}

// In production a panic inside the fast path falls back to yaml.v3 (nil,
// false) instead of crashing the load; in tests recoverPanics is off (see
// export_test.go) so the fuzzer sees every panic.
func TestFastPathPanicRecovery(t *testing.T) {
	if recoverPanics {
		t.Fatal("recovery must be off in tests, or FuzzFastYAML cannot report a crash")
	}
	buggy := func() (m map[string]any, ok bool) {
		defer recoverAsUnhandled(&m, &ok)
		m, ok = map[string]any{"half": "built"}, true
		panic("a parser bug")
	}
	if m, ok := buggy(); ok || m != nil {
		t.Errorf("a panic must mean not handled: %v %v", m, ok)
	}
}
