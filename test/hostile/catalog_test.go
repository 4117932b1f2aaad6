//go:build linux

package hostile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// hostileCatalog writes a catalog whose placeholders reach for the
// process environment every way we know, next to one legitimate $text.
func hostileCatalog(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "docs/README.md", "the real readme")
	if err := os.Symlink("/proc/self/environ", filepath.Join(dir, "env.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.txt")); err != nil {
		t.Fatal(err)
	}
	testkit.WriteFile(t, dir, "catalog-info.yaml", component("svc-a", `  notes:
    absolute:
      $text: /proc/self/environ
    climbing:
      $text: ../../../../../../../../proc/self/environ
    symlinked:
      $text: ./env.txt
    asJSON:
      $json: /proc/self/environ
    asYAML:
      $yaml: ../../../../../../../../proc/self/environ
    endless:
      $text: ./zero.txt
    readme:
      $text: ./docs/README.md
`))
	return dir
}

// TestPlaceholdersNeverReadOutsideTheEntityFolder is issue #12 item 1: a
// catalog file must not be able to put bsai's environment (tokens, keys)
// into what bsai prints.
func TestPlaceholdersNeverReadOutsideTheEntityFolder(t *testing.T) {
	dir := hostileCatalog(t)
	r := bsai(t, invocation{dir: dir, timeout: time.Minute}, "catalog", "get", "component:default/svc-a", "--catalog", "catalog-info.yaml", "-o", "json")
	noSecrets(t, "catalog get -o json", r.stdout, r.stderr)
	if r.code != 0 {
		t.Fatalf("want exit 0 (refused placeholders are warnings)\n%s", r)
	}
	var e struct {
		Spec struct {
			Notes map[string]any `json:"notes"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil {
		t.Fatalf("decode: %v\n%s", err, r)
	}
	if e.Spec.Notes["readme"] != "the real readme" {
		t.Errorf("the legitimate $text was not resolved: %v", e.Spec.Notes["readme"])
	}
	for _, k := range []string{"absolute", "climbing", "symlinked", "asJSON", "asYAML", "endless"} {
		if _, kept := e.Spec.Notes[k].(map[string]any); !kept {
			t.Errorf("notes.%s: want the placeholder left as it was, got %v", k, e.Spec.Notes[k])
		}
	}
	for _, want := range []string{"$text /proc/self/environ refused", "$text ./env.txt refused", "inside the folder"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q\n%s", want, r)
		}
	}
	r = bsai(t, invocation{dir: dir, timeout: time.Minute}, "catalog", "list", "--catalog", "catalog-info.yaml", "-o", "yaml")
	noSecrets(t, "catalog list -o yaml", r.stdout, r.stderr)
}

// A catalog file that is (or links to) /dev/zero or a FIFO is refused up
// front: no hang, no memory blow-up, an error naming the file (issue #12
// items 3 and 6).
func TestCatalogFileSpecialFilesRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	testkit.WriteFile(t, dir, "ok/catalog-info.yaml", component("svc-a", ""))
	for _, tc := range []struct{ file, what string }{{"zero.yaml", "character device"}, {"fifo.yaml", "named pipe"}} {
		r := bsai(t, invocation{dir: dir, timeout: 30 * time.Second}, "catalog", "list", "--catalog", tc.file)
		if r.code != 4 || !strings.Contains(r.stderr, tc.what) {
			t.Errorf("--catalog %s: want exit 4 naming a %s\n%s", tc.file, tc.what, r)
		}
	}
	// In a folder, the special files are skipped with a warning and the
	// rest of the catalog loads (the link to /dev/zero points out of the
	// folder, which is reason enough).
	r := bsai(t, invocation{dir: dir, timeout: 30 * time.Second}, "catalog", "list", "--catalog", ".")
	if r.code != 0 || !strings.Contains(r.stdout, "svc-a") || !strings.Contains(r.stderr, "named pipe") ||
		!strings.Contains(r.stderr, "zero.yaml: skipped: a link to a file outside") {
		t.Errorf("--catalog . with special files: want svc-a listed and both skipped with a warning\n%s", r)
	}
}

// A catalog file over bsai.limits.catalogFileBytes is refused with an
// error naming the cap and the key that raises it.
func TestCatalogFileOverCap(t *testing.T) {
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "big.yaml", component("svc-a", "  blob: "+strings.Repeat("x", 4096)+"\n"))
	r := bsai(t, invocation{dir: dir, env: []string{"APP_CONFIG_bsai_limits_catalogFileBytes=2KiB"}}, "catalog", "list", "--catalog", "big.yaml")
	if r.code != 4 || !strings.Contains(r.stderr, "2.0 KiB limit") || !strings.Contains(r.stderr, "bsai.limits.catalogFileBytes") {
		t.Fatalf("want exit 4 naming the 2 KiB cap and its key\n%s", r)
	}
	r = bsai(t, invocation{dir: dir, env: []string{"APP_CONFIG_bsai_limits_catalogFileBytes=1MiB"}}, "catalog", "list", "--catalog", "big.yaml")
	if r.code != 0 || !strings.Contains(r.stdout, "svc-a") {
		t.Fatalf("raised cap: want svc-a listed\n%s", r)
	}
}

// A $text target over bsai.limits.inputBytes is refused, named, and the
// entity still loads.
func TestPlaceholderOverCap(t *testing.T) {
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "big.txt", strings.Repeat("x", 4096))
	fifo := filepath.Join(dir, "fifo.txt")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	testkit.WriteFile(t, dir, "catalog-info.yaml", component("svc-a", "  big:\n    $text: ./big.txt\n  pipe:\n    $text: ./fifo.txt\n"))
	r := bsai(t, invocation{dir: dir, timeout: 30 * time.Second, env: []string{"APP_CONFIG_bsai_limits_inputBytes=1KiB"}},
		"catalog", "get", "component:default/svc-a", "--catalog", "catalog-info.yaml", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stderr, "1.0 KiB limit") || !strings.Contains(r.stderr, "named pipe") || strings.Contains(r.stdout, "xxxx") {
		t.Fatalf("want the entity, the big $text refused naming the cap, the FIFO refused\n%s", r)
	}
}

// TestDoubleStarGlobIsLinear is issue #12 item 7: a Location target with
// 12 "**" over a deep tree took minutes (the matcher was exponential in
// the number of "**"). The timeout is generous; timing is a benchmark's
// job (BenchmarkGlobDoubleStar in pkg/catalog).
func TestDoubleStarGlobIsLinear(t *testing.T) {
	dir := t.TempDir()
	deep := dir
	for i := 0; i < 40; i++ {
		deep = filepath.Join(deep, "d")
	}
	testkit.WriteFile(t, deep, "catalog-info.yaml", component("deep-svc", ""))
	miss := "./" + strings.Repeat("**/d/", 12) + "e/*.yaml"
	hit := "./" + strings.Repeat("**/d/", 12) + "*.yaml"
	testkit.WriteFile(t, dir, "root.yaml", `apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: root
spec:
  targets:
    - "`+miss+`"
    - "`+hit+`"
`)
	r := bsai(t, invocation{dir: dir, timeout: 90 * time.Second}, "catalog", "list", "--catalog", "root.yaml")
	if r.code != 0 || !strings.Contains(r.stdout, "deep-svc") || !strings.Contains(r.stderr, "matches no files") {
		t.Fatalf("want deep-svc found by the matching target and a warning for the other\n%s", r)
	}
}

// TestCatalogStaysInsideItsFolder: Location targets in catalog files and
// symlinks found by walking a catalog folder cannot make bsai read (and
// quote in warnings) YAML from elsewhere on the machine.
func TestCatalogStaysInsideItsFolder(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFile(t, root, "secret.yaml", "password: hunter2-"+secretKey+"\nmetadata: "+secretKey+"\n")
	dir := filepath.Join(root, "cat")
	testkit.WriteFile(t, dir, "catalog-info.yaml", `apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: root
spec:
  targets:
    - ../secret.yaml
    - `+filepath.Join(root, "secret.yaml")+`
    - ./services/*.yaml
`)
	testkit.WriteFile(t, dir, "services/a.yaml", component("svc-a", ""))
	if err := os.Symlink(filepath.Join(root, "secret.yaml"), filepath.Join(dir, "services", "evil.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, catalogArg := range []string{"cat/catalog-info.yaml", "cat"} {
		r := bsai(t, invocation{dir: root}, "catalog", "list", "--catalog", catalogArg)
		noSecrets(t, "catalog list --catalog "+catalogArg, r.stdout, r.stderr)
		if r.code != 0 || !strings.Contains(r.stdout, "svc-a") || !strings.Contains(r.stderr, "refused") {
			t.Errorf("want svc-a listed and the outside targets refused\n%s", r)
		}
	}
}

// TestPlaceholdersTotalBudget: every target under its cap, but many
// entities naming them: the load's placeholders together read at most 16
// times the cap, so memory stays bounded.
func TestPlaceholdersTotalBudget(t *testing.T) {
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "doc.txt", strings.Repeat("x", 1000))
	var b strings.Builder
	for i := 0; i < 40; i++ {
		if i > 0 {
			b.WriteString("---\n")
		}
		b.WriteString(component("svc-"+string(rune('a'+i%26))+string(rune('a'+i/26)), "  doc:\n    $text: ./doc.txt\n"))
	}
	testkit.WriteFile(t, dir, "catalog-info.yaml", b.String())
	r := bsai(t, invocation{dir: dir, env: []string{"APP_CONFIG_bsai_limits_inputBytes=1KiB"}}, "catalog", "list", "--catalog", "catalog-info.yaml", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stderr, "more than 16 KiB in total") {
		t.Fatalf("want the entities listed and the placeholders past the 16 KiB total refused\n%s", r)
	}
	// The budget goes to entities in load order, so exactly the 16 it
	// holds are resolved, on every run.
	if n := strings.Count(r.stdout, strings.Repeat("x", 1000)); n != 16 {
		t.Errorf("%d placeholders resolved, want the 16 the budget allows", n)
	}
}

// TestNonFiniteNumbersInSpec: one entity whose spec holds .nan or .inf
// (valid YAML, not valid JSON) used to make `catalog list -o json` fail
// for the whole catalog ("json: unsupported value: NaN"). They load as
// null, as Backstage stores them (JSON.stringify(NaN) is null).
func TestNonFiniteNumbersInSpec(t *testing.T) {
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "catalog-info.yaml", component("svc-a", "  ratio: .nan\n  limits: {low: -.inf, high: .inf, list: [1.5, .NaN]}\n")+
		"---\n"+component("svc-b", ""))
	for _, args := range [][]string{{"catalog", "list"}, {"catalog", "get", "svc-a"}, {"ask", "--offline", "what is svc-a?"}} {
		r := bsai(t, invocation{dir: dir}, append(args, "--catalog", "catalog-info.yaml", "-o", "json")...)
		var v any
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &v) != nil {
			t.Fatalf("want exit 0 and JSON\n%s", r)
		}
		if args[1] == "list" && !strings.Contains(r.stdout, `"ratio": null`) {
			t.Errorf("NaN not listed as null\n%s", r)
		}
	}
}
