package llm

import (
	"context"
	"sort"

	"github.com/bsai-dev/bsai/pkg/errs"
)

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
