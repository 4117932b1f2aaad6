package llm

import (
	"context"
	"errors"
	"sort"

	openai "github.com/sashabaranov/go-openai"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// ErrNoModelList means the server has no GET /models (many gateways and
// some local servers); the provider may still answer completions.
var ErrNoModelList = errors.New("the server does not list models")

// ModelLister is implemented by providers that can list the models their
// server offers (GET /models on OpenAI-compatible servers).
type ModelLister interface {
	ListModels(ctx context.Context) ([]string, error)
}

// ListModels asks p's server which models it offers, sorted by id. Shell
// completion of --model and `bsai doctor` use it; a provider that cannot
// list models is an error.
func ListModels(ctx context.Context, p Provider) ([]string, error) {
	for p != nil {
		if l, ok := p.(ModelLister); ok {
			return l.ListModels(ctx)
		}
		u, ok := p.(unwrapper)
		if !ok {
			break
		}
		p = u.Unwrap()
	}
	return nil, errs.Failure("provider cannot list models")
}

// ListModels is GET {baseUrl}/models through the same client (headers,
// retries, error mapping and key redaction) as completions.
func (p *openAIProvider) ListModels(ctx context.Context) ([]string, error) {
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	cctx, info := withAttempts(cctx)
	list, err := p.client.ListModels(cctx)
	if err != nil {
		var apiErr *openai.APIError
		var reqErr *openai.RequestError
		status := 0
		switch {
		case errors.As(err, &apiErr):
			status = apiErr.HTTPStatusCode
		case errors.As(err, &reqErr):
			status = reqErr.HTTPStatusCode
		}
		if status == 404 || status == 405 || status == 501 {
			return nil, errs.Upstream("provider %s: %w (http %d)", p.cfg.Name, ErrNoModelList, status)
		}
		return nil, p.mapError(ctx, "list models", err, info)
	}
	ids := make([]string, 0, len(list.Models))
	for _, m := range list.Models {
		if m.ID != "" {
			ids = append(ids, m.ID)
		}
	}
	sort.Strings(ids)
	return ids, nil
}
