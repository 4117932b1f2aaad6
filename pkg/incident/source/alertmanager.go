package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/boundedio"
)

// FetchAlertmanager reads the firing alerts from Alertmanager's API
// (GET /api/v2/alerts, silenced and inhibited ones left out), the same
// listing `curl $AM/api/v2/alerts | bsai incident investigate --alert -`
// reads. The body is read bounded: a listing is alerts, not megabytes.
func FetchAlertmanager(ctx context.Context, hc *http.Client, base, token string) ([]Alert, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	v := url.Values{"active": {"true"}, "silenced": {"false"}, "inhibited": {"false"}, "unprocessed": {"true"}}
	u := strings.TrimRight(base, "/") + "/api/v2/alerts?" + v.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("alertmanager url %q: %w", base, err)
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("alertmanager: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("alertmanager: GET /api/v2/alerts: http %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	b, err := boundedio.ReadAll(ctx, resp.Body, "alertmanager /api/v2/alerts", boundedio.Input())
	if err != nil {
		return nil, fmt.Errorf("alertmanager: %w", err)
	}
	as, err := ParseAlerts(b)
	if errors.Is(err, ErrNoFiring) {
		return nil, nil // nothing firing is an answer, not a failure
	}
	return as, err
}
