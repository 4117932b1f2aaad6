package incident_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/output"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/incident -run TestRender -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (run with -update to accept):\n--- got\n%s", name, got)
	}
}

func TestRenderGolden(t *testing.T) {
	for _, sc := range []string{"bad-deploy", "no-clear-cause"} {
		rep, _ := runScenario(t, filepath.Join(scenarioRoot, sc))
		var txt, md, colored bytes.Buffer
		if err := rep.RenderText(&txt, output.NewStyles(false)); err != nil {
			t.Fatal(err)
		}
		if err := rep.RenderMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(txt.String(), "\x1b[") {
			t.Error("plain text output carries ANSI escapes")
		}
		_ = rep.RenderText(&colored, output.NewStyles(true))
		if !strings.Contains(colored.String(), "\x1b[") {
			t.Error("colour output has no ANSI escapes")
		}
		golden(t, sc+".txt", txt.Bytes())
		golden(t, sc+".md", md.Bytes())
	}
}
