package source

import (
	"cmp"
	"fmt"
	"github.com/bsai-dev/bsai/pkg/boundedio"
	"net/http"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
)

// SourceDeps are the connections config-built sources use.
type SourceDeps struct {
	Backstage    BackstageClient // nil = scaffolder source unavailable
	BackstageURL string
	MCP          ToolCaller // nil = MCP sources unavailable
	HTTP         *http.Client
	// FileLimit caps each deploys/metrics/logs file, which is read
	// through boundedio (regular files only, Ctrl-C honoured); zero =
	// boundedio's catalog-file default.
	FileLimit boundedio.Limit
}

// BuildSources turns bsai.incident.sources into SignalSources.
func BuildSources(cfg config.IncidentConfig, g *catalog.Graph, topo Topology, d SourceDeps) ([]SignalSource, []string) {
	var out []SignalSource
	var warns []string
	src := cfg.Sources
	if !src.Catalog.Disabled {
		out = append(out, &CatalogSource{Graph: g, Topo: topo})
	}
	if len(src.Deploys.Files) > 0 {
		out = append(out, &DeployFileSource{Files: src.Deploys.Files, Limit: d.fileLimit()})
	}
	if src.Deploys.Scaffolder {
		if d.Backstage == nil {
			warns = append(warns, "deploys: scaffolder history needs a Backstage backend (backend.baseUrl); skipped")
		} else {
			out = append(out, &ScaffolderSource{Client: d.Backstage, BaseURL: d.BackstageURL})
		}
	}
	mo := MetricOptions{Thresholds: src.Metrics.Thresholds}
	if len(src.Metrics.Files) > 0 {
		out = append(out, &MetricFileSource{Files: src.Metrics.Files, Opts: mo, Limit: d.fileLimit()})
	}
	if src.Metrics.Prometheus.URL != "" {
		out = append(out, &PromSource{URL: src.Metrics.Prometheus.URL, Token: src.Metrics.Prometheus.Token, HTTP: d.HTTP,
			Step: src.Metrics.Prometheus.Step.Duration, Queries: src.Metrics.Queries,
			Overrides: annotationQueries(g, append([]string{topo.Focus}, topo.Dependencies...)), Opts: mo})
	}
	if len(src.Logs.Files) > 0 {
		out = append(out, &LogFileSource{Files: src.Logs.Files, Limit: d.fileLimit()})
	}
	if l := src.Logs.Loki; l.URL != "" {
		out = append(out, &LokiSource{URL: l.URL, Query: l.Query, Limit: l.Limit, Token: l.Token, TenantID: l.TenantID, HTTP: d.HTTP})
	}
	for i, m := range src.MCP {
		if d.MCP == nil {
			warns = append(warns, fmt.Sprintf("mcp source %s: no MCP registry; skipped", m.Name))
			continue
		}
		name := cmp.Or(m.Name, m.Tool, fmt.Sprint(i))
		out = append(out, &MCPSource{Label: name, Server: m.Server, Tool: m.Tool, Args: m.Args, Caller: d.MCP})
	}
	return out, warns
}

// AnnoPromQLPrefix on an entity adds or overrides a per-entity query:
// bsai.dev/promql-errors: 'sum(rate(...))'.
const AnnoPromQLPrefix = "bsai.dev/promql-"

func annotationQueries(g *catalog.Graph, refs []string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, r := range refs {
		e, ok := g.Get(r)
		if !ok {
			continue
		}
		for k, v := range e.Metadata.Annotations {
			if strings.HasPrefix(k, AnnoPromQLPrefix) {
				if out[r] == nil {
					out[r] = map[string]string{}
				}
				out[r][strings.TrimPrefix(k, AnnoPromQLPrefix)] = v
			}
		}
	}
	return out
}

// fileLimit is the cap for incident data files: as large as catalog files
// (logs and metric dumps are big), under the same setting.
func (d SourceDeps) fileLimit() boundedio.Limit {
	if d.FileLimit.Bytes > 0 {
		return d.FileLimit
	}
	return boundedio.Catalog()
}
