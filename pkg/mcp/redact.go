package mcp

import (
	"net/url"
	"strings"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/redact"
)

// redactURL hides the password and credential query values of a URL.
func redactURL(s string) string { return redact.URL(s) }

// redact removes every configured header and env value (and anything
// credential-shaped) from an error a server or transport produced: error
// bodies often echo the request. Long messages quoting a body are clipped.
func (c *conn) redact(e *errs.Error) *errs.Error {
	secrets := c.secrets()
	e.Msg = clip(redact.String(e.Msg, secrets...))
	e.Hint = redact.String(e.Hint, secrets...)
	return e
}

// secrets are the values of a declaration that must never be printed.
func (c *conn) secrets() []string {
	c.secretsOnce.Do(func() { c.secretVals = declaredSecrets(c.cfg) })
	return c.secretVals
}

func declaredSecrets(cfg config.MCPServer) []string {
	var secrets []string
	for _, v := range cfg.Headers {
		secrets = append(secrets, v)
		if _, tok, ok := strings.Cut(v, " "); ok {
			secrets = append(secrets, tok) // the token of "Bearer <token>"
		}
	}
	for k, v := range cfg.Env {
		if redact.SecretName(k) {
			secrets = append(secrets, v)
		}
	}
	if u, err := url.Parse(cfg.URL); err == nil {
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
		for k, vs := range u.Query() {
			if redact.SensitiveParam(k) {
				secrets = append(secrets, vs...)
			}
		}
	}
	args := redact.Args(cfg.Args)
	for i, a := range cfg.Args {
		if args[i] != a && !strings.Contains(args[i], "=") {
			secrets = append(secrets, a) // --token X: X
		}
	}
	return secrets
}
