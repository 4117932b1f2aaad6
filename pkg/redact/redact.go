// Package redact removes credentials from text bsai prints: error messages
// that echo a request (a provider, Backstage or an MCP server quoting our
// headers back), URLs with tokens in their query, and command lines with
// tokens in their arguments. It is the one redaction helper the provider,
// Backstage and MCP paths share.
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// Marker replaces every secret.
const Marker = "<redacted>"

// minSecret is the shortest configured value replaced verbatim: shorter
// ones ("on", "1") would blank out ordinary words.
const minSecret = 4

// patterns are shapes of credentials worth hiding even when they are not a
// configured value (e.g. "Incorrect API key provided: sk-abc***", a bearer
// token the server minted, a signed URL). Each has literal triggers (any
// must occur, case-insensitively) so lines without them skip the regexp:
// server logs are redacted line by line.
var patterns = []struct {
	re       *regexp.Regexp
	triggers []string
}{
	{regexp.MustCompile(`sk-[A-Za-z0-9_\-\*]{6,}`), []string{"sk-"}},
	{regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9._\-~+/=]{6,}`), []string{"bearer"}},
	{regexp.MustCompile(`(?i)((?:[?&;\s"']|^)(?:access[-_]?token|api[-_]?key|apikey|token|key|sig|signature|secret|password|client[-_]?secret)=)[^&\s"'#]+`), []string{"="}},
	{regexp.MustCompile(`AIza[0-9A-Za-z_\-]{10,}`), []string{"aiza"}},
	{regexp.MustCompile(`\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{6,}|\bgithub_pat_[A-Za-z0-9_]{6,}|\bglpat-[A-Za-z0-9_\-]{6,}|\bxox[abprs]-[A-Za-z0-9\-]{6,}`), []string{"gh", "github_pat_", "glpat-", "xox"}},
}

// String returns s with every secret (len >= 4, also URL-encoded) and every
// credential-shaped substring replaced by Marker.
func String(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) < minSecret {
			continue
		}
		s = strings.ReplaceAll(s, sec, Marker)
		if q := url.QueryEscape(sec); q != sec {
			s = strings.ReplaceAll(s, q, Marker)
		}
		if p := url.PathEscape(sec); p != sec {
			s = strings.ReplaceAll(s, p, Marker)
		}
	}
	lower := strings.ToLower(s)
	for _, p := range patterns {
		hit := false
		for _, t := range p.triggers {
			if strings.Contains(lower, t) {
				hit = true
				break
			}
		}
		if !hit {
			continue
		}
		if p.re.NumSubexp() > 0 {
			s = p.re.ReplaceAllString(s, "${1}"+Marker)
		} else {
			s = p.re.ReplaceAllString(s, Marker)
		}
		lower = strings.ToLower(s)
	}
	return s
}

// SensitiveParam reports query parameter names that carry credentials
// (OAuth access_token, api_key/apikey/key, token, sig/signature of signed
// URLs, password, secret).
func SensitiveParam(name string) bool {
	n := strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(name))
	switch n {
	case "accesstoken", "apikey", "key", "token", "sig", "signature", "password", "secret", "clientsecret", "code", "idtoken", "refreshtoken", "auth":
		return true
	}
	for _, w := range []string{"token", "secret", "apikey", "signature", "credential", "password"} {
		if strings.HasSuffix(n, w) {
			return true
		}
	}
	return false
}

// URL hides the password of the userinfo and the values of credential query
// parameters, keeping the rest readable (page=2 stays). Text that does not
// parse as an absolute URL is returned through String.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return String(raw)
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		} else if u.User.Username() != "" {
			// https://TOKEN@host: a lone user name is often the token.
			u.User = url.User("REDACTED")
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, hasValue := strings.Cut(p, "=")
			name, _ := url.QueryUnescape(k)
			if hasValue && SensitiveParam(name) {
				parts[i] = k + "=REDACTED"
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return strings.ReplaceAll(u.String(), "REDACTED", Marker)
}

// SecretName reports flags, variables and keys whose value is a
// credential: --token X, --api-key=X, GITHUB_TOKEN, X-Api-Key (-p X is not
// guessed: too ambiguous).
func SecretName(flag string) bool {
	n := strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(strings.TrimLeft(flag, "-")))
	for _, w := range []string{"token", "secret", "password", "passwd", "apikey", "auth", "credential", "privatekey", "key"} {
		if strings.HasSuffix(n, w) || strings.HasPrefix(n, w) {
			return true
		}
	}
	return false
}

// Args masks credentials in a command line: the value after or attached to
// a secret-named flag (--token X, --api-key=X, GITHUB_TOKEN=X), URLs with
// credentials and credential-shaped values (ghp_…, sk-…, Bearer …).
func Args(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		switch {
		case i > 0 && strings.HasPrefix(args[i-1], "-") && !strings.Contains(args[i-1], "=") &&
			SecretName(args[i-1]) && !strings.HasPrefix(a, "-"):
			out[i] = Marker
		case strings.Contains(a, "="):
			k, v, _ := strings.Cut(a, "=")
			if SecretName(k) && v != "" {
				out[i] = k + "=" + Marker
			} else {
				out[i] = String(URL(a))
			}
		case strings.Contains(a, "://"):
			out[i] = URL(a)
		default:
			out[i] = String(a)
		}
	}
	return out
}
