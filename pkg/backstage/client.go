// Package backstage is the one HTTP connection to a Backstage backend shared
// by catalog, scaffolder, incident and mcp-actions: base URL, static token,
// timeouts, retries on 429/5xx, and clear errors for 401/403.
package backstage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/errs"
	redactpkg "github.com/bsai-dev/bsai/pkg/redact"
	"github.com/bsai-dev/bsai/pkg/retry"
)

// Client talks to one Backstage backend.
type Client struct {
	BaseURL string
	Token   string
	HTTP    *http.Client
	// MaxRetries for 429, 5xx and connection errors (default 3).
	MaxRetries int
	// Sleep waits between retries; tests replace it to avoid real delays.
	Sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client; token may be empty for open backends.
func New(baseURL, token string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Token: token, HTTP: hc, MaxRetries: 3, Sleep: sleepCtx}
}

// sleepCtx is the shared context-aware wait (a field default, so tests
// can replace Client.Sleep).
var sleepCtx = retry.Sleep

// StatusError is a non-2xx reply.
type StatusError struct {
	Method, URL string
	Status      int
	Body        string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: http %d", e.Method, e.URL, e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Do sends a request with an optional JSON body and decodes a JSON reply
// into out (if non-nil). path is relative to BaseURL, e.g.
// "/api/catalog/entities/by-query?limit=100".
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	return c.do(ctx, method, path, body, out, true)
}

// Create sends a request that must not run twice (e.g. POST
// /api/scaffolder/v2/tasks starts a task). It is retried only on 429, which
// means the backend rejected it unprocessed; a 5xx or a dropped connection
// may have come after the work was done, so those fail instead.
func (c *Client) Create(ctx context.Context, method, path string, body, out any) error {
	return c.do(ctx, method, path, body, out, false)
}

func (c *Client) do(ctx context.Context, method, path string, body, out any, idempotent bool) error {
	resp, err := c.raw(ctx, method, path, body, idempotent)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return errs.Upstream("decode reply from %s %s: %w", method, c.BaseURL+path, err)
	}
	return nil
}

// Raw sends a request with retries and returns a 2xx response whose body
// the caller must close (used for streaming replies such as task events).
func (c *Client) Raw(ctx context.Context, method, path string, body any) (*http.Response, error) {
	return c.raw(ctx, method, path, body, true)
}

func (c *Client) raw(ctx context.Context, method, path string, body any, idempotent bool) (*http.Response, error) {
	var payload []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		payload = b
	}
	url := c.BaseURL + path
	retries := c.MaxRetries
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(payload))
		if err != nil {
			return nil, errs.Config("invalid backstage url %q: %w", c.BaseURL, err)
		}
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.Token != "" {
			req.Header.Set("Authorization", "Bearer "+c.Token)
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if attempt < retries && idempotent && retryableNetErr(err) {
				if err := c.Sleep(ctx, backoff(attempt, 0)); err != nil {
					return nil, err
				}
				continue
			}
			return nil, errs.Upstream("cannot reach backstage at %s: %w", c.BaseURL, redact(err, c.Token)).
				WithHint("check that the backend is running and --catalog / backend.baseUrl points at it")
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		// A backend may echo the request (headers included) in an error page;
		// the body ends up in messages, so the token is cut out of it here.
		se := &StatusError{Method: method, URL: url, Status: resp.StatusCode, Body: redactString(strings.TrimSpace(string(b)), c.Token)}
		switch {
		case resp.StatusCode == 401:
			return nil, &errs.Error{Kind: errs.KindConfig, Err: se,
				Msg:  fmt.Sprintf("backstage at %s rejected the token (401 unauthorized)", c.BaseURL),
				Hint: "set a valid token with --token, BACKSTAGE_TOKEN or bsai.backstage.token (a backend.auth.externalAccess static token)"}
		case resp.StatusCode == 403:
			return nil, &errs.Error{Kind: errs.KindConfig, Err: se,
				Msg:  fmt.Sprintf("backstage at %s refused access to %s (403 forbidden)", c.BaseURL, path),
				Hint: "the token is valid but lacks permission; check the backend's permission policy"}
		case resp.StatusCode == 404:
			return nil, &errs.Error{Kind: errs.KindNotFound, Err: se, Msg: fmt.Sprintf("%s %s: not found", method, path)}
		case (resp.StatusCode == 429 || (idempotent && resp.StatusCode >= 500)) && attempt < retries:
			if err := c.Sleep(ctx, backoff(attempt, retryAfter(resp.Header.Get("Retry-After")))); err != nil {
				return nil, err
			}
			continue
		case resp.StatusCode >= 500 || resp.StatusCode == 429:
			return nil, &errs.Error{Kind: errs.KindUpstream, Err: se, Msg: se.Error(), Hint: "the backend is failing; try again or check its logs"}
		default:
			return nil, &errs.Error{Kind: errs.KindFailure, Err: se, Msg: se.Error()}
		}
	}
}

// backoff is exponential with full jitter, at least the server's Retry-After.
func backoff(attempt int, min time.Duration) time.Duration {
	base := 200 * time.Millisecond << attempt
	d := base/2 + time.Duration(rand.Int64N(int64(base/2)+1))
	if d < min {
		d = min
	}
	if d > 30*time.Second {
		d = 30 * time.Second
	}
	return d
}

// retryAfter reads a Retry-After value (0 when absent or unreadable).
func retryAfter(h string) time.Duration {
	d, _ := retry.After(http.Header{"Retry-After": {h}}, time.Now)
	return d
}

func retryableNetErr(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "connection reset") || strings.Contains(s, "EOF") || strings.Contains(s, "broken pipe")
}

// redact removes the token from an error message, in case a transport
// echoes the request.
func redact(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(redactString(err.Error(), token))
}

func redactString(s, token string) string { return redactpkg.String(s, token) }
