package e2e

import (
	"strings"
	"testing"
)

// TestE2EWrongToken: every command that reads the backend exits 4 with a
// message about the token when Backstage answers 401, and never prints the
// token.
func TestE2EWrongToken(t *testing.T) {
	e := need(t)
	const bad = "not-the-right-token"
	dir := t.TempDir()
	tpl := writeFile(t, dir, "t.yaml", liveOnlyTemplate)
	remote := []string{"--catalog", e.BaseURL, "--token", bad, "--refresh"}
	for name, args := range map[string][]string{
		"catalog list":         {"catalog", "list"},
		"catalog get":          {"catalog", "get", "component:default/anything"},
		"ask":                  {"--offline", "ask", "who owns the ledger?"},
		"template validate":    {"template", "validate", "--actions", "live", tpl},
		"incident investigate": {"--offline", "incident", "investigate", "--service", "anything"},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.Bsai(t, append(append([]string{}, remote...), args...)...)
			if r.Code != 4 {
				t.Errorf("want exit 4\n%s", r)
			}
			if !strings.Contains(r.Stderr, "token") {
				t.Errorf("want a message about the token\n%s", r)
			}
			if strings.Contains(r.Stdout+r.Stderr, bad) {
				t.Errorf("token leaked\n%s", r)
			}
		})
	}
}
