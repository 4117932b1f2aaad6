package config

import (
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/errs"
)

func TestAskConfig(t *testing.T) {
	c, err := LoadBytes("app-config.yaml", []byte("bsai:\n  ask:\n    topK: 7\n    agent: false\n    maxSteps: 3\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Ask()
	if err != nil {
		t.Fatal(err)
	}
	if a.TopK != 7 || a.Agent == nil || *a.Agent || a.MaxSteps != 3 {
		t.Fatalf("%+v", a)
	}
	if a, err := FromMap(nil).Ask(); err != nil || a.TopK != 0 || a.Agent != nil {
		t.Errorf("empty config: %+v %v", a, err)
	}
	for _, bad := range []string{"bsai:\n  ask:\n    topK: many\n", "bsai:\n  ask:\n    topK: 500\n"} {
		c, err := LoadBytes("app-config.yaml", []byte(bad), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Ask()
		if errs.ExitCode(err) != errs.ExitConfig || !strings.Contains(err.Error(), "bsai.ask.topK") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
