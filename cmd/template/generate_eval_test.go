package template_test

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
	"gopkg.in/yaml.v3"
)

// evalCase is one request of testdata/templates/generate-eval.yaml.
type evalCase struct {
	ID      string   `yaml:"id"`
	Source  string   `yaml:"source"`
	Catalog string   `yaml:"catalog"`
	Request string   `yaml:"request"`
	Want    evalWant `yaml:"want"`
}

type evalWant struct {
	Actions      []string            `yaml:"actions"`
	NotActions   []string            `yaml:"notActions"`
	Order        []string            `yaml:"order"`
	Fields       []string            `yaml:"fields"`
	Params       []string            `yaml:"params"`
	AllowedHosts []string            `yaml:"allowedHosts"`
	NotHosts     []string            `yaml:"notHosts"`
	Owner        string              `yaml:"owner"`
	Tags         []string            `yaml:"tags"`
	NotTags      []string            `yaml:"notTags"`
	Inputs       map[string][]string `yaml:"inputs"`
	Conditional  bool                `yaml:"conditional"`
	Pages        int                 `yaml:"pages"`
	Notes        []string            `yaml:"notes"`
}

// heldOut is the deterministic split: FNV-1a of the id, odd = held-out.
func heldOut(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%2 == 1
}

// generated is the part of `template generate -o json` the features read.
type generated struct {
	YAML     string         `json:"yaml"`
	Template map[string]any `json:"template"`
	Valid    bool           `json:"valid"`
	Notes    []string       `json:"notes"`
	Errors   []any          `json:"errors"`
}

// feature is one checked property of an answer.
type feature struct {
	name string
	ok   bool
}

func evalConfigs(t *testing.T) map[string]string {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"examples": filepath.Join(root, "examples", "app-config.yaml"),
		"upstream": filepath.Join(root, "testdata", "templates", "upstream.app-config.yaml"),
		"argocd":   filepath.Join(root, "testdata", "templates", "argocd.app-config.yaml"),
	}
}

// TestGenerateEval runs every request of the eval set through
// `bsai --offline -c CONFIG template generate REQUEST -o json` and counts
// the features honoured on the tuning and held-out halves. Thresholds (held
// out): at least 90% of features, and every output valid.
func TestGenerateEval(t *testing.T) {
	data, err := os.ReadFile("../../testdata/templates/generate-eval.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Cases []evalCase `yaml:"cases"`
	}
	if err := yaml.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Cases) < 30 {
		t.Fatalf("%d cases, want at least 30", len(set.Cases))
	}
	cfgs := evalConfigs(t)
	type tally struct{ cases, valid, features, honoured int }
	halves := map[bool]*tally{false: {}, true: {}}
	seen := map[string]bool{}
	for _, c := range set.Cases {
		if seen[c.ID] {
			t.Fatalf("duplicate id %s", c.ID)
		}
		seen[c.ID] = true
		cfg, ok := cfgs[c.Catalog]
		if !ok {
			t.Fatalf("%s: unknown catalog %q", c.ID, c.Catalog)
		}
		r := bsai(t, "", "", "--offline", "-c", cfg, "template", "generate", c.Request, "-o", "json")
		var g generated
		if err := json.Unmarshal([]byte(r.out), &g); err != nil {
			t.Errorf("%s: exit %d, no JSON: %v\n%s", c.ID, r.code, err, clip(r.errOut))
			continue
		}
		h := halves[heldOut(c.ID)]
		h.cases++
		// Valid as generated, and the printed YAML passes `template
		// validate --strict` on its own (same config, same actions).
		yf := testkit.WriteFile(t, t.TempDir(), "template.yaml", g.YAML)
		vr := bsai(t, "", "", "--offline", "-c", cfg, "template", "validate", "--strict", yf)
		if g.Valid && r.code == 0 && vr.code == 0 {
			h.valid++
		} else {
			t.Logf("%s: not valid (exit %d, validate exit %d)\n%s", c.ID, r.code, vr.code, vr.out)
		}
		fs := features(c.Want, g)
		var missed []string
		for _, f := range fs {
			h.features++
			if f.ok {
				h.honoured++
			} else {
				missed = append(missed, f.name)
			}
		}
		half := "tuning"
		if heldOut(c.ID) {
			half = "held-out"
		}
		if len(missed) > 0 || !g.Valid {
			t.Logf("%-8s %-34s valid=%v missed: %s", half, c.ID, g.Valid, strings.Join(missed, "; "))
		}
	}
	for _, ho := range []bool{false, true} {
		h := halves[ho]
		name := "tuning"
		if ho {
			name = "held-out"
		}
		fmt.Printf("generate eval %-8s: %d cases, %d/%d valid, features honoured %d/%d = %.1f%%\n",
			name, h.cases, h.valid, h.cases, h.honoured, h.features, pct(h.honoured, h.features))
	}
	ho := halves[true]
	if ho.cases == 0 || halves[false].cases == 0 {
		t.Fatal("a half is empty")
	}
	if pct(ho.honoured, ho.features) < 90 {
		t.Errorf("held-out: %.1f%% of features honoured, want >= 90%%", pct(ho.honoured, ho.features))
	}
	if ho.valid != ho.cases || halves[false].valid != halves[false].cases {
		t.Errorf("not every output validates: tuning %d/%d, held-out %d/%d", halves[false].valid, halves[false].cases, ho.valid, ho.cases)
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// features checks an answer against what the request needs.
func features(w evalWant, g generated) []feature {
	spec, _ := g.Template["spec"].(map[string]any)
	md, _ := g.Template["metadata"].(map[string]any)
	steps, _ := spec["steps"].([]any)
	var acts []string
	stepOf := map[string]map[string]any{}
	hasIf := false
	for _, s := range steps {
		sm, _ := s.(map[string]any)
		a, _ := sm["action"].(string)
		acts = append(acts, a)
		if _, ok := stepOf[a]; !ok {
			stepOf[a] = sm
		}
		if _, ok := sm["if"]; ok {
			hasIf = true
		}
	}
	fields, params, hosts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	pages := 0
	switch p := spec["parameters"].(type) {
	case []any:
		pages = len(p)
	case map[string]any:
		pages = 1
	}
	walk(spec["parameters"], func(key string, m map[string]any) {
		if f, ok := m["ui:field"].(string); ok {
			fields[f] = true
			if f == "RepoUrlPicker" {
				opts, _ := m["ui:options"].(map[string]any)
				for _, h := range asList(opts["allowedHosts"]) {
					hosts[fmt.Sprint(h)] = true
				}
			}
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for k := range props {
				params[k] = true
			}
		}
	})
	var tags []string
	for _, x := range asList(md["tags"]) {
		tags = append(tags, fmt.Sprint(x))
	}
	notes := strings.ToLower(strings.Join(g.Notes, "\n"))
	var out []feature
	add := func(name string, ok bool) { out = append(out, feature{name, ok}) }
	for _, a := range w.Actions {
		add("action "+a, slices.Contains(acts, a))
	}
	for _, a := range w.NotActions {
		bad := false
		for _, x := range acts {
			if x == a || (strings.HasSuffix(a, "*") && strings.HasPrefix(x, strings.TrimSuffix(a, "*"))) {
				bad = true
			}
		}
		add("no action "+a, !bad)
	}
	if len(w.Order) > 0 {
		at, ok := 0, true
		for _, a := range w.Order {
			i := slices.Index(acts[at:], a)
			if i < 0 {
				ok = false
				break
			}
			at += i + 1
		}
		add("order "+strings.Join(w.Order, " > "), ok)
	}
	for _, f := range w.Fields {
		add("ui:field "+f, fields[f])
	}
	for _, p := range w.Params {
		add("parameter "+p, params[p])
	}
	for _, h := range w.AllowedHosts {
		add("allowedHosts "+h, hosts[h])
	}
	for _, h := range w.NotHosts {
		add("not allowedHosts "+h, !hosts[h])
	}
	if w.Owner != "" {
		add("owner "+w.Owner, spec["owner"] == w.Owner)
	}
	for _, x := range w.Tags {
		add("tag "+x, slices.Contains(tags, x))
	}
	for _, x := range w.NotTags {
		add("no tag "+x, !slices.Contains(tags, x))
	}
	for _, a := range sortedKeys(w.Inputs) {
		in, _ := stepOf[a]["input"].(map[string]any)
		for _, k := range w.Inputs[a] {
			_, ok := in[k]
			add("input "+a+"."+k, ok)
		}
	}
	if w.Conditional {
		add("conditional step", hasIf)
	}
	if w.Pages > 0 {
		add(fmt.Sprintf("pages >= %d", w.Pages), pages >= w.Pages)
	}
	for _, n := range w.Notes {
		add("note "+n, strings.Contains(notes, strings.ToLower(n)))
	}
	return out
}

// walk visits every map in v with the key it sits under.
func walk(v any, fn func(key string, m map[string]any)) {
	var rec func(key string, v any, depth int)
	rec = func(key string, v any, depth int) {
		if depth > 50 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			fn(key, t)
			for k, x := range t {
				rec(k, x, depth+1)
			}
		case []any:
			for _, x := range t {
				rec(key, x, depth+1)
			}
		}
	}
	rec("", v, 0)
}

func asList(v any) []any { l, _ := v.([]any); return l }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestGenerateProbeReal runs real templates' own titles and descriptions
// (testdata/templates/generate-probe-real.yaml) and checks the kind of
// change, the publish action and the language tags their authors' steps
// and tags have. It has no threshold (authors' words do not always say
// what their steps do) except that every output validates; the numbers are
// printed next to the eval's.
func TestGenerateProbeReal(t *testing.T) {
	data, err := os.ReadFile("../../testdata/templates/generate-probe-real.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Cases []struct {
			ID, Request, Kind, Publish string
			Tags                       []string
		}
	}
	if err := yaml.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	cfg := evalConfigs(t)["upstream"]
	total, ok, valid := 0, 0, 0
	for _, c := range set.Cases {
		r := bsai(t, "", "", "--offline", "-c", cfg, "template", "generate", c.Request, "-o", "json")
		var g generated
		if err := json.Unmarshal([]byte(r.out), &g); err != nil {
			t.Errorf("%s: exit %d, no JSON\n%s", c.ID, r.code, clip(r.errOut))
			continue
		}
		if g.Valid && r.code == 0 {
			valid++
		} else {
			t.Errorf("%s: output does not validate: %v", c.ID, g.Errors)
		}
		spec, _ := g.Template["spec"].(map[string]any)
		var acts []string
		for _, s := range asList(spec["steps"]) {
			a, _ := s.(map[string]any)["action"].(string)
			acts = append(acts, a)
		}
		md, _ := g.Template["metadata"].(map[string]any)
		var tags []string
		for _, x := range asList(md["tags"]) {
			tags = append(tags, fmt.Sprint(x))
		}
		var missed []string
		check := func(name string, good bool) {
			total++
			if good {
				ok++
			} else {
				missed = append(missed, name)
			}
		}
		check("kind "+c.Kind, kindOf(acts) == c.Kind)
		if c.Publish != "" {
			check("action "+c.Publish, slices.Contains(acts, c.Publish))
		}
		for _, tg := range c.Tags {
			check("tag "+tg, slices.Contains(tags, tg))
		}
		if len(missed) > 0 {
			t.Logf("probe %-60s missed: %s (got %s)", c.ID, strings.Join(missed, "; "), strings.Join(acts, ","))
		}
	}
	fmt.Printf("generate probe (real templates' own words): %d requests, %d/%d valid, features %d/%d = %.1f%%\n",
		len(set.Cases), valid, len(set.Cases), ok, total, pct(ok, total))
}

// kindOf classifies generated steps like the probe's extraction script.
func kindOf(acts []string) string {
	pr, pub, reg := false, false, false
	for _, a := range acts {
		switch {
		case strings.Contains(a, "pull-request") || strings.Contains(a, "merge-request"):
			pr = true
		case strings.HasPrefix(a, "publish:"):
			pub = true
		case a == "catalog:register":
			reg = true
		}
	}
	switch {
	case pr && !pub:
		return "pull-request"
	case pub:
		return "new-repository"
	case reg:
		return "register"
	}
	return "action"
}
