package config

// IncidentConfig is the typed view of bsai.incident: where signals come
// from, which actions exist, and what agent mode may do on its own.
type IncidentConfig struct {
	// Since is the default look-back window before the alert (default 2h).
	Since   Duration                  `json:"since"`
	Sources IncidentSources           `json:"sources"`
	Actions map[string]IncidentAction `json:"actions"`
	Agent   IncidentAgent             `json:"agent"`
	Model   IncidentModel             `json:"model"`
}

// IncidentSources configures the signal sources. Every file path is
// relative to the config file that set it (see IncidentConfig's loader).
type IncidentSources struct {
	Catalog CatalogSignal `json:"catalog"`
	Deploys DeploySignal  `json:"deploys"`
	Metrics MetricSignal  `json:"metrics"`
	Logs    LogSignal     `json:"logs"`
	MCP     []MCPSignal   `json:"mcp"`
	// Alertmanager is where `incident investigate` without --alert finds
	// the firing alerts (GET /api/v2/alerts).
	Alertmanager AlertmanagerConfig `json:"alertmanager"`
}

// AlertmanagerConfig is the Alertmanager HTTP API endpoint.
type AlertmanagerConfig struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

// CatalogSignal turns catalog evidence (owners, on-call, topology) on/off.
type CatalogSignal struct {
	Disabled bool `json:"disabled"`
}

// DeploySignal reads deploy/config/infra changes.
type DeploySignal struct {
	// Scaffolder reads Backstage scaffolder task history
	// (GET /api/scaffolder/v2/tasks) from the configured backend.
	Scaffolder bool `json:"scaffolder"`
	// Files are JSONL deploy-event files.
	Files []string `json:"files"`
}

// MetricSignal reads metrics from Prometheus or saved query_range JSON.
type MetricSignal struct {
	Prometheus PrometheusConfig `json:"prometheus"`
	// Queries maps a signal name (errors, latency, saturation, ...) to a
	// PromQL query templated with {{.Service}} (the entity name or its
	// prometheus.io/service annotation).
	Queries map[string]string `json:"queries"`
	// Thresholds maps a signal name to an absolute breach threshold; without
	// one a change point against the window's baseline is used.
	Thresholds map[string]float64 `json:"thresholds"`
	// Files are saved query_range responses; each series names its service
	// in a label (service, job or app) and its signal in __name__ or signal.
	Files []string `json:"files"`
}

// PrometheusConfig is the Prometheus HTTP API endpoint.
type PrometheusConfig struct {
	URL   string   `json:"url"`
	Step  Duration `json:"step"`
	Token string   `json:"token"`
}

// LogSignal reads logs from Loki or JSONL files.
type LogSignal struct {
	Loki LokiConfig `json:"loki"`
	// Files are JSONL log files: {"time","service","level","msg"}.
	Files []string `json:"files"`
}

// LokiConfig is the Loki HTTP API endpoint.
type LokiConfig struct {
	URL string `json:"url"`
	// Query is a LogQL query templated with {{.Service}}; default
	// {service="{{.Service}}"} |~ "(?i)(error|exception|fatal|panic)".
	Query string `json:"query"`
	Limit int    `json:"limit"`
	Token string `json:"token"`
	// TenantID is sent as X-Scope-OrgID.
	TenantID string `json:"tenantId"`
}

// MCPSignal is an MCP tool whose result is kept as evidence text.
type MCPSignal struct {
	Name   string         `json:"name"`
	Server string         `json:"server"`
	Tool   string         `json:"tool"`
	Args   map[string]any `json:"args"`
}

// IncidentAction is a named action the plan may propose.
type IncidentAction struct {
	// Type is scaffolder, mcp, webhook or page.
	Type        string `json:"type"`
	Description string `json:"description"`
	// On lists the cause kinds the deterministic plan proposes this action
	// for (deploy, config, infra, dependency, saturation, log, any);
	// empty = any.
	On []string `json:"on"`
	// scaffolder
	Template string         `json:"template"`
	Values   map[string]any `json:"values"`
	// mcp
	Server string         `json:"server"`
	Tool   string         `json:"tool"`
	Args   map[string]any `json:"args"`
	// webhook, page
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Text    string            `json:"text"`
	// RoutingKey makes a page action speak PagerDuty Events v2 (it is a
	// secret: never logged).
	RoutingKey string `json:"routingKey"`
	// Timeout bounds the action (scaffolder: until the task finishes).
	Timeout Duration `json:"timeout"`
}

// IncidentAgent scopes what --mode agent may execute without asking.
type IncidentAgent struct {
	Allow []string `json:"allow"`
	// MaxActions caps the actions one agent run executes; unset = 3, and
	// 0 means none.
	MaxActions *int   `json:"maxActions"`
	AuditLog   string `json:"auditLog"`
	// Budget bounds the wall-clock time of a whole agent run (collection,
	// model, actions); default 3m.
	Budget Duration `json:"budget"`
}

// IncidentModel bounds the model's share of an investigation.
type IncidentModel struct {
	// MaxEvidence caps the evidence items sent to the model (default 40).
	MaxEvidence int `json:"maxEvidence"`
	// Tools lets the model query the collected signals further.
	Tools     bool `json:"tools"`
	MaxSteps  int  `json:"maxSteps"`
	MaxTokens int  `json:"maxTokens"`
}

// Incident returns bsai.incident with file paths resolved against the
// config file that set them.
func (c *Config) Incident() (IncidentConfig, error) {
	var ic IncidentConfig
	if err := c.Decode("bsai.incident", &ic); err != nil {
		return ic, err
	}
	res := func(key string, ps []string) {
		for i, p := range ps {
			ps[i] = c.ResolvePath(key, p)
		}
	}
	res("bsai.incident.sources.deploys.files", ic.Sources.Deploys.Files)
	res("bsai.incident.sources.metrics.files", ic.Sources.Metrics.Files)
	res("bsai.incident.sources.logs.files", ic.Sources.Logs.Files)
	if ic.Agent.AuditLog != "" {
		ic.Agent.AuditLog = c.ResolvePath("bsai.incident.agent.auditLog", ic.Agent.AuditLog)
	}
	return ic, nil
}
