package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/redact"
	"github.com/bsai-dev/bsai/pkg/textutil"
)

// APIError is a non-auth HTTP error from a provider, already redacted. It is
// wrapped in an errs.Error; errors.As finds it (GenerateObject uses Status
// and Message to detect servers that reject response_format).
type APIError struct {
	Provider string
	Status   int
	Message  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("provider %s returned %d: %s", e.Provider, e.Status, e.Message)
}

// rejectsResponseFormat reports a 400/422 complaining about response_format
// or json_schema: the server does not support structured output.
func rejectsResponseFormat(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) || (ae.Status != 400 && ae.Status != 422) {
		return false
	}
	m := strings.ToLower(ae.Message)
	return strings.Contains(m, "response_format") || strings.Contains(m, "json_schema") ||
		strings.Contains(m, "response format")
}

// rejectsStreamOptions reports a 400 complaining about stream_options.
func rejectsStreamOptions(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == 400 && strings.Contains(strings.ToLower(ae.Message), "stream_options")
}

// redactor removes the configured key (and key-like strings) from text,
// with the redaction helper the Backstage and MCP paths share.
type redactor struct{ secrets []string }

func (r redactor) apply(s string) string { return redact.String(s, r.secrets...) }

// mapError turns a go-openai/transport error into a kinded, redacted error.
// Cancellation stays recognisable with errors.Is(err, context.Canceled).
func (p *openAIProvider) mapError(ctx context.Context, verb string, err error, info *attempts) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("provider %s: %s cancelled: %w", p.cfg.Name, verb, context.Canceled)
		}
		return errs.Upstream("provider %s: %s timed out: %w", p.cfg.Name, verb, context.DeadlineExceeded).
			WithHint("raise bsai.ai.providers.%s.timeout or try a smaller model", p.cfg.Name)
	}
	status, msg, raw := 0, "", ""
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	// RequestError first: it wraps a half-decoded APIError (no status,
	// no message) when the body's "error" is a bare string.
	switch {
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
		raw = string(reqErr.Body)
		if m, ok := vendorMessage(reqErr.Body); ok {
			msg = m
		} else {
			msg = strings.TrimSpace(raw)
		}
		if len(msg) > 300 {
			msg = textutil.Truncate(msg, 300, "...")
		}
		if msg == "" && reqErr.Err != nil {
			msg = reqErr.Err.Error()
		}
	case errors.As(err, &apiErr):
		status, msg = apiErr.HTTPStatusCode, apiErr.Message
	}
	msg = p.red.apply(msg)
	name := p.cfg.Name
	if authFailure(status, raw+" "+msg) {
		status = 401
	}
	switch {
	case status == 401 || status == 403:
		what := "rejected the api key"
		if status == 403 {
			what = "refused access"
		}
		e := errs.Config("provider %s %s (%d); set %s", name, what, status, p.keyEnv())
		return e.WithHint("check bsai.ai.providers.%s.apiKey (usually ${%s}) and that the key may use model %q", name, p.keyEnv(), p.cfg.Model)
	case status == 404:
		e := errs.Config("provider %s: not found (404): %s", name, msg)
		if p.ti.Type == "ollama" {
			return e.WithHint("pull the model first (ollama pull %s) or fix bsai.ai.providers.%s.model", p.cfg.Model, name)
		}
		return e.WithHint("check bsai.ai.providers.%s.baseUrl and model %q", name, p.cfg.Model)
	case status == 400 && strings.Contains(strings.ToLower(msg), "does not support tools"):
		return errs.Upstream("%w", &APIError{Provider: name, Status: status, Message: msg}).
			WithHint("use a model with tool support, or set bsai.ai.providers.%s.tools: false", name)
	case status == 400 && contentFiltered(msg):
		return errs.Upstream("%w", &APIError{Provider: name, Status: status, Message: msg}).
			WithHint("the provider's content filter rejected the request; rephrase it, or ask the provider's administrator about the filter policy")
	case status == 400 && contextTooLong(msg):
		return errs.Upstream("%w", &APIError{Provider: name, Status: status, Message: msg}).
			WithHint("the prompt is too long for model %s; narrow the question or use a model with a larger context", p.cfg.Model)
	case status == 429:
		n, ra, gaveUp := info.get()
		ae := &APIError{Provider: name, Status: status, Message: msg}
		if gaveUp {
			return errs.Upstream("provider %s is rate limiting (429) and asks to wait %s: %w", name, ra.Round(time.Second), ae).
				WithHint("retry later, or use another provider with --provider")
		}
		return errs.Upstream("provider %s is rate limiting (429) after %s: %w", name, plural(n, "attempt"), ae).
			WithHint("wait a minute and retry, or use another provider with --provider")
	case status >= 500:
		n, _, _ := info.get()
		return errs.Upstream("%w (after %s)", &APIError{Provider: name, Status: status, Message: msg}, plural(n, "attempt"))
	case status > 0:
		return errs.Upstream("%w", &APIError{Provider: name, Status: status, Message: msg})
	}
	// Transport errors: say where we tried to connect, never with the key.
	text := p.red.apply(err.Error())
	if errors.Is(err, syscall.ECONNREFUSED) {
		return errs.Upstream("provider %s is not reachable at %s: connection refused", name, p.red.apply(p.cfg.BaseURL)).
			WithHint("start the server or fix bsai.ai.providers.%s.baseUrl", name)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return errs.Upstream("provider %s is not reachable at %s: cannot resolve %s", name, p.red.apply(p.cfg.BaseURL), dns.Name).
			WithHint("check the network, or fix bsai.ai.providers.%s.baseUrl", name)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errs.Upstream("provider %s: %s timed out", name, verb).
			WithHint("raise bsai.ai.providers.%s.timeout", name)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return errs.Upstream("provider %s closed the connection: %s", name, text)
	}
	return errs.Upstream("provider %s: %s failed: %s", name, verb, text)
}

func (p *openAIProvider) keyEnv() string {
	if p.cfg.APIKeyEnv != "" {
		return p.cfg.APIKeyEnv
	}
	if p.ti.APIKeyEnv != "" {
		return p.ti.APIKeyEnv
	}
	return "bsai.ai.providers." + p.cfg.Name + ".apiKey"
}

func contextTooLong(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "context length") || strings.Contains(m, "context_length") ||
		strings.Contains(m, "maximum context") || strings.Contains(m, "too many tokens") ||
		strings.Contains(m, "prompt is too long") || strings.Contains(m, "context window")
}

// contentFiltered: Azure's and OpenAI's moderation refusals of a prompt.
func contentFiltered(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "content management policy") || strings.Contains(m, "content_filter") ||
		strings.Contains(m, "content filter")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
