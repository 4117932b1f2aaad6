// Package doctor checks that everything bsai is configured to use works:
// which config files were merged, the Backstage backend and its token (one
// real request), the model provider (/models, else a one-token completion),
// every MCP server (handshake and tool list), the Prometheus, Loki and
// Alertmanager endpoints incident investigation reads, and where caches and
// the audit log live. Each check is a real request with a timeout; nothing
// is changed anywhere.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/mcp"
)

// Status of one check.
type Status string

const (
	OK   Status = "ok"
	Warn Status = "warn" // works, but something looks off
	Fail Status = "fail" // broken: doctor exits non-zero
	Skip Status = "skip" // not configured
)

// Check is one line of the report.
type Check struct {
	Group  string `json:"group"` // config, backstage, catalog, model, mcp, incident
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Hint   string `json:"hint,omitempty"`
	// Tools is the tool count of an MCP server.
	Tools *int `json:"tools,omitempty"`
}

// Path is a file or folder bsai writes.
type Path struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

// Report is the JSON shape of `bsai doctor -o json`.
type Report struct {
	OK       bool    `json:"ok"`
	Problems int     `json:"problems"`
	Checks   []Check `json:"checks"`
	Paths    []Path  `json:"paths"`
}

// Inputs are the configured things to check; every func is called at most
// once, and a nil one skips its check.
type Inputs struct {
	Searched []config.Searched
	Config   func() (*config.Config, error)
	// Backstage returns the backend connection or an error when none is
	// configured (errs.KindConfig with "no backstage" is "not configured").
	Backstage func() (*backstage.Client, error)
	// Catalog is the configured entity source.
	Catalog func() (catalog.Source, error)
	// Provider returns the model provider, or llm.ErrNoModel.
	Provider func() (llm.Provider, error)
	MCP      func() (*mcp.Registry, error)
	HTTP     *http.Client
	Paths    []Path
	// Timeout bounds each check (default 15 s).
	Timeout time.Duration
}

// Run performs every check. Checks of different groups run concurrently;
// the report keeps a fixed order.
func Run(ctx context.Context, in Inputs) Report {
	if in.Timeout <= 0 {
		in.Timeout = 15 * time.Second
	}
	if in.HTTP == nil {
		in.HTTP = &http.Client{}
	}
	rep := Report{Paths: in.Paths}
	cfgChecks, cfg := checkConfig(in)
	groups := []func() []Check{
		func() []Check { return checkBackstage(ctx, in) },
		func() []Check { return checkCatalog(ctx, in) },
		func() []Check { return checkModel(ctx, in) },
		func() []Check { return checkMCP(ctx, in) },
		func() []Check { return checkIncident(ctx, in, cfg) },
	}
	results := make([][]Check, len(groups))
	if cfg != nil {
		var wg sync.WaitGroup
		for i, g := range groups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = g()
			}()
		}
		wg.Wait()
	}
	rep.Checks = cfgChecks
	for _, r := range results {
		rep.Checks = append(rep.Checks, r...)
	}
	for _, c := range rep.Checks {
		if c.Status == Fail {
			rep.Problems++
		}
	}
	rep.OK = rep.Problems == 0
	return rep
}

func checkConfig(in Inputs) ([]Check, *config.Config) {
	var found, missing []string
	for _, s := range in.Searched {
		if s.Found {
			found = append(found, s.Path)
		} else if s.Origin == "flag" {
			missing = append(missing, s.Path)
		}
	}
	var out []Check
	switch {
	case len(found) == 0 && len(missing) == 0:
		out = append(out, Check{Group: "config", Name: "files", Status: Warn, Detail: "no config file found",
			Hint: "bsai config path -v lists where bsai looks; flags alone also work"})
	case len(found) > 0:
		out = append(out, Check{Group: "config", Name: "files", Status: OK, Detail: "merged in order: " + strings.Join(found, ", ")})
	}
	if in.Config == nil {
		return out, nil
	}
	cfg, err := in.Config()
	if err != nil {
		return append(out, fail("config", "load", err)), nil
	}
	if env := cfg.EnvOverrides(); len(env) > 0 {
		out = append(out, Check{Group: "config", Name: "environment", Status: OK, Detail: "overrides: " + strings.Join(env, ", ")})
	}
	return out, cfg
}

func fail(group, name string, err error) Check {
	return Check{Group: group, Name: name, Status: Fail, Detail: oneLine(err.Error()), Hint: errs.HintOf(err)}
}

func notConfigured(err error) bool {
	return errs.KindOf(err) == errs.KindConfig && strings.Contains(err.Error(), "no ") && strings.Contains(err.Error(), " configured")
}

func checkBackstage(ctx context.Context, in Inputs) []Check {
	if in.Backstage == nil {
		return nil
	}
	c, err := in.Backstage()
	if err != nil {
		if notConfigured(err) {
			return []Check{{Group: "backstage", Name: "backend", Status: Skip, Detail: "not configured"}}
		}
		return []Check{fail("backstage", "backend", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, in.Timeout)
	defer cancel()
	var page struct {
		Items      []map[string]any `json:"items"`
		TotalItems *int             `json:"totalItems"`
	}
	err = c.Do(ctx, http.MethodGet, "/api/catalog/entities/by-query?limit=1", nil, &page)
	name := c.BaseURL
	if err != nil {
		ch := fail("backstage", name, err)
		var se *backstage.StatusError
		if errors.As(err, &se) && (se.Status == 401 || se.Status == 403) {
			ch.Detail = fmt.Sprintf("token rejected (http %d)", se.Status)
			ch.Hint = "pass --token or set BACKSTAGE_TOKEN / bsai.backstage.token (a backend.auth.externalAccess static token)"
		}
		return []Check{ch}
	}
	detail := "reachable"
	if c.Token != "" {
		detail += ", token accepted"
	} else {
		detail += ", no token (guest access)"
	}
	if page.TotalItems != nil {
		detail += fmt.Sprintf(", %d entities", *page.TotalItems)
	}
	return []Check{{Group: "backstage", Name: name, Status: OK, Detail: detail}}
}

func checkCatalog(ctx context.Context, in Inputs) []Check {
	if in.Catalog == nil {
		return nil
	}
	src, err := in.Catalog()
	if err != nil {
		if notConfigured(err) {
			return []Check{{Group: "catalog", Name: "source", Status: Skip, Detail: "not configured", Hint: errs.HintOf(err)}}
		}
		return []Check{fail("catalog", "source", err)}
	}
	if _, remote := src.(*catalog.CachedSource); remote {
		return nil // the backstage check made the one request
	}
	ctx, cancel := context.WithTimeout(ctx, in.Timeout)
	defer cancel()
	ents, err := src.Entities(ctx, catalog.Query{})
	if err != nil {
		return []Check{fail("catalog", "files", err)}
	}
	ch := Check{Group: "catalog", Name: "files", Status: OK, Detail: fmt.Sprintf("%d entities", len(ents))}
	if pr, ok := src.(interface{ Problems() []catalog.Problem }); ok {
		n := 0
		for _, p := range pr.Problems() {
			if p.Level != "info" {
				n++
			}
		}
		if n > 0 {
			ch.Status = Warn
			ch.Detail += fmt.Sprintf(", %d load problems", n)
			ch.Hint = "bsai catalog list prints them"
		}
	}
	if len(ents) == 0 {
		ch.Status = Warn
	}
	return []Check{ch}
}

func checkModel(ctx context.Context, in Inputs) []Check {
	if in.Provider == nil {
		return nil
	}
	p, err := in.Provider()
	if errors.Is(err, llm.ErrNoModel) {
		return []Check{{Group: "model", Name: "provider", Status: Skip, Detail: "no model configured or --offline: commands use the deterministic path"}}
	}
	if err != nil {
		return []Check{fail("model", "provider", err)}
	}
	name := p.Name() + " (" + p.Model() + ")"
	ctx, cancel := context.WithTimeout(ctx, in.Timeout)
	defer cancel()
	models, lerr := llm.ListModels(ctx, p)
	if lerr == nil {
		ch := Check{Group: "model", Name: name, Status: OK, Detail: fmt.Sprintf("GET /models: %d models", len(models))}
		if len(models) > 0 && !slices.Contains(models, p.Model()) {
			ch.Status = Warn
			ch.Detail += ", " + p.Model() + " not among them"
			ch.Hint = "check bsai.ai.providers.<name>.model (--model completes the list)"
		}
		return []Check{ch}
	}
	if !errors.Is(lerr, llm.ErrNoModelList) {
		return []Check{fail("model", name, lerr)}
	}
	// Some servers have no /models; a one-token completion shows the
	// endpoint, key and model work.
	_, gerr := p.Generate(ctx, llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "Reply with OK."}}, MaxTokens: 1})
	if gerr != nil {
		return []Check{fail("model", name, gerr)}
	}
	return []Check{{Group: "model", Name: name, Status: OK, Detail: "one-token completion answered (no /models)"}}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func checkMCP(ctx context.Context, in Inputs) []Check {
	if in.MCP == nil {
		return nil
	}
	reg, err := in.MCP()
	if err != nil {
		return []Check{fail("mcp", "servers", err)}
	}
	servers := reg.Servers()
	if len(servers) == 0 {
		return []Check{{Group: "mcp", Name: "servers", Status: Skip, Detail: "none configured"}}
	}
	out := make([]Check, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, in.Timeout)
			defer cancel()
			tools, err := reg.ListTools(cctx, s.ID)
			if err != nil {
				out[i] = fail("mcp", s.ID, err)
				if lp := reg.LogPath(s.ID); lp != "" && fileExists(lp) {
					out[i].Hint = strings.TrimSpace(out[i].Hint + " (server log: " + lp + ")")
				}
				return
			}
			n := len(tools)
			out[i] = Check{Group: "mcp", Name: s.ID, Status: OK, Tools: &n,
				Detail: fmt.Sprintf("%s %s: handshake ok, %d tools", s.Transport, s.Target, n)}
		}()
	}
	wg.Wait()
	return out
}

func checkIncident(ctx context.Context, in Inputs, cfg *config.Config) []Check {
	if cfg == nil {
		return nil
	}
	ic, err := cfg.Incident()
	if err != nil {
		return []Check{fail("incident", "config", err)}
	}
	now := time.Now()
	type probe struct {
		name, base, path, token string
		q                       url.Values
	}
	span := url.Values{"start": {strconv.FormatInt(now.Add(-time.Minute).Unix(), 10)}, "end": {strconv.FormatInt(now.Unix(), 10)}}
	var probes []probe
	if u := ic.Sources.Metrics.Prometheus.URL; u != "" {
		q := url.Values{"query": {"vector(1)"}, "step": {"60"}, "start": span["start"], "end": span["end"]}
		probes = append(probes, probe{"prometheus", u, "/api/v1/query_range", ic.Sources.Metrics.Prometheus.Token, q})
	}
	if u := ic.Sources.Logs.Loki.URL; u != "" {
		q := url.Values{"query": {`{service="bsai-doctor"}`}, "limit": {"1"},
			"start": {span["start"][0] + "000000000"}, "end": {span["end"][0] + "000000000"}}
		probes = append(probes, probe{"loki", u, "/loki/api/v1/query_range", "", q})
	}
	if u := ic.Sources.Alertmanager.URL; u != "" {
		probes = append(probes, probe{"alertmanager", u, "/api/v2/alerts", ic.Sources.Alertmanager.Token, url.Values{"active": {"true"}}})
	}
	if len(probes) == 0 {
		return []Check{{Group: "incident", Name: "prometheus/loki", Status: Skip, Detail: "not configured"}}
	}
	out := make([]Check, len(probes))
	for i, p := range probes {
		out[i] = httpProbe(ctx, in, p.name, p.base, p.path, p.token, p.q)
	}
	return out
}

// httpProbe sends the request the incident source sends, so "reachable"
// means the API bsai uses answers, not just that a port is open.
func httpProbe(ctx context.Context, in Inputs, name, base, path, token string, q url.Values) Check {
	ctx, cancel := context.WithTimeout(ctx, in.Timeout)
	defer cancel()
	target := strings.TrimRight(base, "/") + path + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return Check{Group: "incident", Name: name, Status: Fail, Detail: oneLine(err.Error())}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	label := name + " " + redactURL(base)
	resp, err := in.HTTP.Do(req)
	if err != nil {
		return Check{Group: "incident", Name: label, Status: Fail, Detail: oneLine(strings.ReplaceAll(err.Error(), target, redactURL(base)+path)),
			Hint: "check bsai.incident.sources URLs"}
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == 401 || resp.StatusCode == 403:
		return Check{Group: "incident", Name: label, Status: Fail, Detail: fmt.Sprintf("http %d: credentials rejected", resp.StatusCode)}
	case resp.StatusCode >= 300:
		return Check{Group: "incident", Name: label, Status: Fail, Detail: fmt.Sprintf("GET %s: http %d", path, resp.StatusCode)}
	}
	return Check{Group: "incident", Name: label, Status: OK, Detail: "GET " + path + ": http " + strconv.Itoa(resp.StatusCode)}
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return s
}
