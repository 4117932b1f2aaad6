package root

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/golden"
)

func TestCatalogDepsTreeAndMermaid(t *testing.T) {
	cat := examplesCatalog(t)
	wd, _ := filepath.Abs(".")
	clearEnv(t)
	gold := func(name string) string { return filepath.Join(wd, "testdata", name) }

	r := run(t, "--catalog", cat, "catalog", "deps", "component:default/payments-api", "--tree")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	golden.Check(t, gold("deps-tree.txt"), []byte(r.out))

	r = run(t, "--catalog", cat, "catalog", "deps", "resource:default/ledger-db", "-o", "mermaid")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	golden.Check(t, gold("deps-ledger-db.mmd"), []byte(r.out))

	// ask's blast-radius answer draws the same picture as catalog deps
	// (ledger-db depends on nothing, so both show its dependents only).
	a := run(t, "--offline", "--catalog", cat, "ask", "What breaks if the ledger database goes down?", "-o", "mermaid")
	d := run(t, "--catalog", cat, "catalog", "deps", "resource:default/ledger-db", "-o", "mermaid")
	if a.code != 0 || a.out != d.out {
		t.Errorf("ask -o mermaid (exit %d) differs from catalog deps:\n%s\n---\n%s", a.code, a.out, d.out)
	}
	// A question that is not about dependencies has no picture.
	r = run(t, "--offline", "--catalog", cat, "ask", "Who owns the cart service?", "-o", "mermaid")
	if r.code != 2 || !strings.Contains(r.errOut, "-o mermaid draws answers about dependencies") {
		t.Errorf("non-dependency question: exit %d, %q", r.code, r.errOut)
	}
}

func TestCatalogDepsJSONPathsAndErrors(t *testing.T) {
	cat := examplesCatalog(t)
	clearEnv(t)
	r := run(t, "--catalog", cat, "catalog", "deps", "resource:default/ledger-db", "-o", "json")
	var gr struct {
		Subject    string
		Dependents []struct {
			Ref, Via, API string
			Depth         int
			Path          []string
		}
	}
	if err := json.Unmarshal([]byte(r.out), &gr); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	if gr.Subject != "resource:default/ledger-db" || len(gr.Dependents) == 0 {
		t.Fatalf("%+v", gr)
	}
	for _, n := range gr.Dependents {
		// Every path starts at the subject, ends at the entity, has
		// depth+1 entries and passes through Via just before the end.
		if len(n.Path) != n.Depth+1 || n.Path[0] != gr.Subject || n.Path[len(n.Path)-1] != n.Ref || n.Path[len(n.Path)-2] != n.Via {
			t.Errorf("bad path for %s: %+v", n.Ref, n)
		}
	}
	r = run(t, "--catalog", cat, "catalog", "deps", "resource:default/ledger-db", "--depth", "1", "--jq", "[.dependents[].depth] | max")
	if strings.TrimSpace(r.out) != "1" {
		t.Errorf("--depth 1 reached depth %q", r.out)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"catalog", "deps", "payments-api"}, 2, "is ambiguous"},
		{[]string{"catalog", "deps", "no-such-thing"}, 1, "not found"},
		{[]string{"catalog", "deps", "ledger-db", "--depth", "0"}, 2, "--depth must be between 1 and 10"},
		{[]string{"catalog", "deps", "ledger-db", "-o", "markdown"}, 2, "unknown output format"},
	} {
		r := run(t, append([]string{"--catalog", cat}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, r.code, r.errOut, tc.code, tc.want)
		}
	}
}
