package e2e

import (
	"context"
	"net/http"
	"testing"
)

// TestE2EBackend checks the backend itself is what the other tests assume:
// the catalog holds the examples, the scaffolder lists its actions, and the
// static token is enforced. When this fails, the bsai tests' failures are
// about the harness, not bsai.
func TestE2EBackend(t *testing.T) {
	e := need(t)
	t.Run("catalog", func(t *testing.T) {
		var page struct {
			Items      []rawEntity `json:"items"`
			TotalItems int         `json:"totalItems"`
		}
		e.Get(t, "/api/catalog/entities/by-query?limit=1", &page)
		if len(page.Items) != 1 || page.TotalItems < 2 {
			t.Fatalf("by-query limit=1: %d items, totalItems %d", len(page.Items), page.TotalItems)
		}
	})
	t.Run("actions", func(t *testing.T) {
		ids := e.liveActions(t)
		for _, want := range []string{"debug:log", "fetch:template", "catalog:register"} {
			if !ids[want] {
				t.Errorf("action %s missing from %d actions", want, len(ids))
			}
		}
	})
	t.Run("token enforced", func(t *testing.T) {
		for _, tok := range []string{"", "wrong-token-123"} {
			err := e.Backend.getJSON(context.Background(), "/api/catalog/entities/by-query?limit=1", tok, new(any))
			if err == nil {
				t.Fatalf("token %q: want 401, got 200", tok)
			}
			req, _ := http.NewRequest(http.MethodGet, e.BaseURL+"/api/catalog/entities/by-query?limit=1", nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("token %q: want 401, got %d", tok, resp.StatusCode)
			}
		}
	})
}
