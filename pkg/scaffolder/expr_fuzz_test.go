package scaffolder

import (
	"strings"
	"testing"
)

// FuzzExpr feeds untrusted ${{ }} text to the expression scanner and parser
// (and through the template validator). Whatever the input: no panic, no
// stack overflow, and a finding never echoes more than a clipped body.
// Run locally: go test ./pkg/scaffolder -run '^$' -fuzz FuzzExpr -fuzztime 30s
func FuzzExpr(f *testing.F) {
	for _, s := range []string{
		"parameters.name",
		"steps['fetch-base'].output.remoteUrl",
		"parameters.repoUrl | parseRepoUrl | pick('owner')",
		"'a' if parameters.x else 'b'",
		"not (parameters.a and parameters.b) or x in [1, 2, 3]",
		"{ 'k': [1, (2 + 3) * 4], \"v\": x is defined }",
		"each.value.name ~ '-' ~ user.entity.metadata.name",
		"f(a=1, b=[x[0], y['z']])",
		"parameters.x ? 1 : 2",
		"a || b && !c",
		"((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))",
		strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		strings.Repeat("not ", 5000) + "x",
		strings.Repeat("-", 5000) + "1",
		strings.Repeat("[", 5000),
		strings.Repeat("{", 5000) + strings.Repeat("}", 5000),
		strings.Repeat("f(", 3000),
		strings.Repeat("x if y else ", 3000) + "z",
		"x" + strings.Repeat(" | f(x", 3000),
		"'unterminated",
		"a['b",
		"}}}}",
		"\x00\xff\xfe",
		"",
	} {
		f.Add(s)
	}
	v, err := NewValidator(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, _ = parseExpr(body)
		_, _ = splitExprs("${{" + body + "}}")
		// Through the validator, as a step input and as a template string
		// that may itself contain several ${{ }} (or none).
		tpl := map[string]any{
			"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
			"metadata": map[string]any{"name": "fuzz"},
			"spec": map[string]any{"owner": "group:default/a", "type": "service",
				"steps": []any{map[string]any{"id": "s", "name": "S", "action": "debug:log",
					"input": map[string]any{"message": "${{ " + body + " }}", "extra": body}}}},
		}
		for _, fd := range v.ValidateValue(tpl) {
			if len(fd.Message) > 1024 {
				t.Fatalf("finding message of %d bytes: %.200s", len(fd.Message), fd.Message)
			}
		}
	})
}
