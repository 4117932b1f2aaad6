package catalog

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// DefaultPageSize is the by-query page size when none is configured.
const DefaultPageSize = 500

// BackstageSource reads a Backstage backend's catalog REST API.
type BackstageSource struct {
	Client *backstage.Client
	// PageSize is the by-query limit per page (DefaultPageSize when 0).
	PageSize int
	// OnPage, when set, is called after each page (progress reporting).
	OnPage func(fetched, total int)
}

// NewBackstageSource returns a source on c.
func NewBackstageSource(c *backstage.Client, pageSize int) *BackstageSource {
	return &BackstageSource{Client: c, PageSize: pageSize}
}

// queryResponse is the by-query reply.
type queryResponse struct {
	Items      []Entity `json:"items"`
	TotalItems int      `json:"totalItems"`
	PageInfo   struct {
		NextCursor string `json:"nextCursor"`
		PrevCursor string `json:"prevCursor"`
	} `json:"pageInfo"`
}

// Entities pages through GET /api/catalog/entities/by-query. The first
// request carries filter, fields and limit; later ones carry the cursor
// (which encodes the filter and order) plus fields and limit again, as the
// catalog client does: the server does not remember fields in the cursor.
func (s *BackstageSource) Entities(ctx context.Context, q Query) ([]Entity, error) {
	limit := s.PageSize
	if limit <= 0 {
		limit = DefaultPageSize
	}
	base := url.Values{}
	base.Set("limit", strconv.Itoa(limit))
	if len(q.Fields) > 0 {
		base.Set("fields", strings.Join(q.Fields, ","))
	}
	first := cloneValues(base)
	if f := FilterString(q.Filter); f != "" {
		first.Set("filter", f)
	}
	params := first
	var out []Entity
	seenCursors := map[string]bool{}
	for {
		var page queryResponse
		if err := s.Client.Do(ctx, "GET", "/api/catalog/entities/by-query?"+params.Encode(), nil, &page); err != nil {
			return nil, wrapCatalogErr(err)
		}
		out = append(out, page.Items...)
		if s.OnPage != nil {
			s.OnPage(len(out), page.TotalItems)
		}
		next := page.PageInfo.NextCursor
		if next == "" || len(page.Items) == 0 {
			break
		}
		if seenCursors[next] {
			return nil, errs.Upstream("backstage returned the same page cursor twice; stopping after %d entities", len(out))
		}
		seenCursors[next] = true
		params = cloneValues(base)
		params.Set("cursor", next)
	}
	return out, nil
}

// Entity fetches one entity with GET /entities/by-name/{kind}/{ns}/{name}.
func (s *BackstageSource) Entity(ctx context.Context, ref Ref) (*Entity, error) {
	ns := ref.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	path := "/api/catalog/entities/by-name/" + url.PathEscape(strings.ToLower(ref.Kind)) + "/" +
		url.PathEscape(ns) + "/" + url.PathEscape(ref.Name)
	var e Entity
	if err := s.Client.Do(ctx, "GET", path, nil, &e); err != nil {
		if errs.KindOf(err) == errs.KindNotFound {
			return nil, errs.NotFound("entity %s not found in backstage", ref.String())
		}
		return nil, wrapCatalogErr(err)
	}
	return &e, nil
}

// EntitiesByRefs fetches many entities in one POST /entities/by-refs. The
// result has one slot per ref, nil where the entity does not exist.
func (s *BackstageSource) EntitiesByRefs(ctx context.Context, refs []string, fields []string) ([]*Entity, error) {
	body := map[string]any{"entityRefs": refs}
	if len(fields) > 0 {
		body["fields"] = fields
	}
	var resp struct {
		Items []*Entity `json:"items"`
	}
	if err := s.Client.Do(ctx, "POST", "/api/catalog/entities/by-refs", body, &resp); err != nil {
		return nil, wrapCatalogErr(err)
	}
	if len(resp.Items) != len(refs) {
		return nil, errs.Upstream("backstage by-refs returned %d items for %d refs", len(resp.Items), len(refs))
	}
	return resp.Items, nil
}

// FilterString renders a filter map as one Backstage filter parameter
// ("kind=component,spec.type=service"), keys sorted for stable URLs.
func FilterString(f map[string]string) string {
	if len(f) == 0 {
		return ""
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		if f[k] == "" {
			parts[i] = k
		} else {
			parts[i] = k + "=" + f[k]
		}
	}
	return strings.Join(parts, ",")
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// wrapCatalogErr keeps the kind (401/403 stay config errors, exit 4) and
// adds what we were doing.
func wrapCatalogErr(err error) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errs.Upstream("backstage catalog request timed out: %w", err).
			WithHint("raise bsai.backstage.timeout or check the backend's load")
	}
	return fmt.Errorf("backstage catalog: %w", err)
}
