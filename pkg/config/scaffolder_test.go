package config

import (
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/errs"
)

func TestScaffolderConfig(t *testing.T) {
	c, err := LoadBytes("app-config.yaml", []byte(`
bsai:
  scaffolder:
    maxRepairs: 3
    actions:
      - id: mcp:call
        description: Calls an MCP tool
        input:
          type: object
          required: [server, tool]
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := c.Scaffolder()
	if err != nil {
		t.Fatal(err)
	}
	if sc.MaxRepairs != 3 || len(sc.Actions) != 1 || sc.Actions[0].ID != "mcp:call" || sc.Actions[0].Input["type"] != "object" {
		t.Fatalf("%+v", sc)
	}
	for _, bad := range []string{"bsai:\n  scaffolder:\n    actions: [{description: x}]\n", "bsai:\n  scaffolder:\n    actions: nope\n"} {
		c, err := LoadBytes("app-config.yaml", []byte(bad), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Scaffolder()
		if errs.ExitCode(err) != errs.ExitConfig || !strings.Contains(err.Error(), "bsai.scaffolder") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if sc, err := FromMap(nil).Scaffolder(); err != nil || len(sc.Actions) != 0 {
		t.Errorf("empty config: %+v %v", sc, err)
	}
}
