package root

import (
	"strings"
	"testing"
)

// --jq works on every command that prints JSON, through the output layer.
func TestJQ(t *testing.T) {
	completionEnv(t, "") // a files catalog in app-config.yaml
	for _, tc := range []struct {
		args []string
		want string
	}{
		// Strings print raw, one per line.
		{[]string{"catalog", "list", "--kind", "component", "--jq", ".entities[].metadata.name"}, "billing-service\n"},
		{[]string{"catalog", "list", "--jq", ".count"}, "4\n"},
		// Objects print as compact JSON.
		{[]string{"catalog", "get", "group:team-x", "--jq", ".metadata | {name}"}, `{"name":"team-x"}` + "\n"},
		{[]string{"version", "--jq", ".version"}, "1.2.3\n"},
		{[]string{"config", "show", "--jq", ".bsai.mcp.servers | keys | join(\",\")"}, "fake,other\n"},
		{[]string{"mcp", "servers", "--jq", ".[].id"}, "fake\nother\n"},
		// -o json given explicitly is fine too.
		{[]string{"-o", "json", "version", "--jq", ".commit"}, "abc123\n"},
	} {
		r := run(t, tc.args...)
		if r.code != 0 || r.out != tc.want {
			t.Errorf("%v: exit %d, stdout %q, want %q (stderr %q)", tc.args, r.code, r.out, tc.want, r.errOut)
		}
	}
}

func TestJQErrors(t *testing.T) {
	completionEnv(t, "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"version", "--jq", ".["}, `invalid --jq expression ".["`},
		{[]string{"-o", "yaml", "version", "--jq", ".version"}, "--jq filters JSON output, but -o is yaml"},
		// A runtime error (indexing a string) is reported, not a panic.
		{[]string{"version", "--jq", ".version.x"}, `--jq ".version.x": `},
	} {
		r := run(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.errOut, tc.want) || !strings.Contains(r.errOut, "hint: ") {
			t.Errorf("%v: exit %d, stderr %q, want exit 2 and %q with a hint", tc.args, r.code, r.errOut, tc.want)
		}
	}
}
