package incident_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/golden"
	"github.com/bsai-dev/bsai/pkg/output"
)

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
		golden.Check(t, filepath.Join("testdata", sc+".txt"), txt.Bytes())
		golden.Check(t, filepath.Join("testdata", sc+".md"), md.Bytes())
	}
}
