package config

import (
	"regexp"
	"strings"
)

// substRe matches ${...} and its escape $${...}, the same pattern
// @backstage/config-loader splits strings on; "$$${X}" therefore keeps one
// literal '$' and then escapes, giving "$${X}".
var substRe = regexp.MustCompile(`\$?\$\{[^{}]*\}`)

// substitute expands ${VAR} and ${VAR:-default} in s from env.
//
//   - If any variable is unset (and has no default) the whole value is
//     absent (ok=false), so a lower config file's value shows through.
//   - ${VAR:-default} uses default when VAR is unset or empty (shell rule).
//   - $${...} is an escape for a literal ${...}.
//   - Substituted values are trimmed, as Backstage does since 1.x.
//
// secret reports whether a variable whose name looks secret was used, so
// `config show` redacts the value whatever key holds it.
func substitute(s string, env map[string]string) (out string, ok, secret bool) {
	if !strings.Contains(s, "${") {
		return s, true, false
	}
	ok = true
	var b strings.Builder
	last := 0
	for _, m := range substRe.FindAllStringIndex(s, -1) {
		b.WriteString(s[last:m[0]])
		last = m[1]
		part := s[m[0]:m[1]]
		if strings.HasPrefix(part, "$$") {
			b.WriteString(part[1:])
			continue
		}
		expr := strings.TrimSpace(part[2 : len(part)-1])
		name, def, hasDef := strings.Cut(expr, ":-")
		name = strings.TrimSpace(name)
		if secretName(name) {
			secret = true
		}
		v, set := env[name]
		v = strings.TrimSpace(v)
		switch {
		case name == "":
			ok = false
		case hasDef && v == "":
			b.WriteString(def)
		case set:
			b.WriteString(v)
		default:
			ok = false
		}
	}
	b.WriteString(s[last:])
	if !ok {
		return "", false, secret
	}
	return b.String(), true, secret
}
