package config

import (
	"fmt"
	"strings"

	"github.com/bsai-dev/bsai/pkg/redact"
)

// Redacted is the placeholder `config show` prints instead of a secret.
const Redacted = "<redacted>"

// secretWords are matched against a key (or variable name) lower-cased with
// '-' and '_' removed, so apiKey, api_key, API-KEY and OPENAI_API_KEY all
// match "apikey".
var secretWords = []string{"token", "secret", "password", "passwd", "apikey", "private", "authorization", "credential", "cookie"}

func normName(s string) string {
	return strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(s))
}

// secretName reports whether a key or environment variable name looks like
// it holds a secret.
func secretName(name string) bool {
	n := normName(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secretValuePrefixes are shapes of credentials worth hiding whatever key
// holds them.
var secretValuePrefixes = []string{"bearer ", "basic ", "sk-", "ghp_", "gho_", "github_pat_", "glpat-", "xoxb-", "xoxp-"}

func secretValue(s string) bool {
	l := strings.ToLower(s)
	for _, p := range secretValuePrefixes {
		if strings.HasPrefix(l, p) && len(s) > len(p) {
			return true
		}
	}
	return false
}

// redactURL hides the password in a URL's userinfo (postgres://u:pw@host)
// and credential query values (?access_token=, api_key, token, key, sig).
func redactURL(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return redact.URL(s)
}

// Redacted returns a copy of the merged tree with every secret-looking value
// replaced by "<redacted>": values under keys whose name looks secret
// (token, apiKey, password, secret, clientSecret, privateKey, Authorization
// headers, …; a secret-named object has all its values hidden), values that
// came from a ${VAR} or $env whose name looks secret, and values shaped like
// credentials (Bearer …, sk-…, a URL with a password). Booleans are never
// secret, and numbers under *Tokens keys (maxTokens) are counts, not secrets.
func (c *Config) Redacted() map[string]any {
	out, _ := c.redact(c.data, "", false).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	return out
}

func (c *Config) redact(v any, path string, force bool) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, val := range t {
			p := joinKey(path, k)
			f := force || secretName(k) || c.secrets[p]
			if f && !force && isCount(k, val) {
				f = false
			}
			m[k] = c.redact(val, p, f)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, val := range t {
			p := fmt.Sprintf("%s[%d]", path, i)
			a[i] = c.redact(val, p, force || c.secrets[p])
		}
		return a
	case bool, nil:
		return t
	case string:
		if force || c.secrets[path] || secretValue(t) {
			return Redacted
		}
		return redactURL(t)
	default:
		if force || c.secrets[path] {
			return Redacted
		}
		return t
	}
}

// isCount spots token counts such as maxTokens: 4096, which match the
// "token" pattern but are not secrets.
func isCount(key string, v any) bool {
	switch v.(type) {
	case int, int64, float64:
		return strings.HasSuffix(strings.ToLower(key), "tokens")
	}
	return false
}

// IsSecret reports whether the value at path would be redacted.
func (c *Config) IsSecret(path string) bool {
	v, ok := c.Get(path)
	if _, isBool := v.(bool); !ok || isBool {
		return false
	}
	parts := strings.Split(path, ".")
	for i := range parts {
		if secretName(parts[i]) || c.secrets[strings.Join(parts[:i+1], ".")] {
			return !isCount(parts[len(parts)-1], v)
		}
	}
	s, isStr := v.(string)
	return isStr && (secretValue(s) || redactURL(s) != s)
}
