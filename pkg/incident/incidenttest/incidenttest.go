// Package incidenttest holds test doubles that speak the real protocols the
// incident sources and actions use: Prometheus query_range, Loki
// query_range, Backstage scaffolder tasks, and a webhook recorder. All
// servers bind to 127.0.0.1.
package incidenttest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// Sample is one metric value.
type Sample struct {
	T time.Time
	V float64
}

// Prometheus serves /api/v1/query_range. Series returns the samples of a
// PromQL query (nil = empty result); Queries records what was asked.
type Prometheus struct {
	*httptest.Server
	Series  func(query string) map[string][]Sample // label set (as "k=v,k=v") → samples
	mu      sync.Mutex
	Queries []string
}

// NewPrometheus starts a fake Prometheus.
func NewPrometheus(t testing.TB, series func(query string) map[string][]Sample) *Prometheus {
	p := &Prometheus{Series: series}
	p.Server = httptest.NewServer(http.HandlerFunc(p.handle))
	t.Cleanup(p.Close)
	return p
}

func (p *Prometheus) handle(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v1/query_range" {
		http.NotFound(w, r)
		return
	}
	_ = r.ParseForm()
	q := r.Form.Get("query")
	start, err1 := strconv.ParseFloat(r.Form.Get("start"), 64)
	end, err2 := strconv.ParseFloat(r.Form.Get("end"), 64)
	_, err3 := strconv.ParseFloat(r.Form.Get("step"), 64)
	if q == "" || err1 != nil || err2 != nil || err3 != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"status":"error","errorType":"bad_data","error":"invalid parameter: query, start, end and step are required"}`)
		return
	}
	p.mu.Lock()
	p.Queries = append(p.Queries, q)
	p.mu.Unlock()
	result := []map[string]any{}
	for labels, samples := range p.Series(q) {
		metric := map[string]string{}
		for _, kv := range strings.Split(labels, ",") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				metric[k] = v
			}
		}
		values := [][2]any{}
		for _, s := range samples {
			ts := float64(s.T.Unix())
			if ts >= start && ts <= end {
				values = append(values, [2]any{ts, strconv.FormatFloat(s.V, 'f', -1, 64)})
			}
		}
		result = append(result, map[string]any{"metric": metric, "values": values})
	}
	writeJSON(w, map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": result}})
}

// LogLine is one line a fake Loki holds.
type LogLine struct {
	T      time.Time
	Labels map[string]string
	Line   string
}

// Loki serves /loki/api/v1/query_range for stream selectors with equality
// matchers ({service="x"}); the line filter after the selector is applied
// as a case-insensitive regexp when it is `|~ "..."`.
type Loki struct {
	*httptest.Server
	Lines   []LogLine
	mu      sync.Mutex
	Queries []string
	Tenants []string
}

// NewLoki starts a fake Loki.
func NewLoki(t testing.TB, lines []LogLine) *Loki {
	l := &Loki{Lines: lines}
	l.Server = httptest.NewServer(http.HandlerFunc(l.handle))
	t.Cleanup(l.Close)
	return l
}

var (
	reMatcher = regexp.MustCompile(`(\w+)\s*=\s*"([^"]*)"`)
	reFilter  = regexp.MustCompile(`\|~\s*"((?:[^"\\]|\\.)*)"`)
)

func (l *Loki) handle(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/loki/api/v1/query_range" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	query := q.Get("query")
	start, err1 := strconv.ParseInt(q.Get("start"), 10, 64)
	end, err2 := strconv.ParseInt(q.Get("end"), 10, 64)
	if !strings.HasPrefix(strings.TrimSpace(query), "{") || err1 != nil || err2 != nil {
		http.Error(w, "parse error: query must start with a stream selector; start and end are unix nanoseconds", http.StatusBadRequest)
		return
	}
	l.mu.Lock()
	l.Queries = append(l.Queries, query)
	l.Tenants = append(l.Tenants, r.Header.Get("X-Scope-OrgID"))
	l.mu.Unlock()
	sel := query[:strings.Index(query, "}")+1]
	var filter *regexp.Regexp
	if m := reFilter.FindStringSubmatch(query[len(sel):]); m != nil {
		pat, _ := strconv.Unquote(`"` + m[1] + `"`)
		filter = regexp.MustCompile(pat)
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	streams := map[string]map[string]any{}
	var order []string
	n := 0
	for _, ln := range l.Lines {
		ok := true
		for _, m := range reMatcher.FindAllStringSubmatch(sel, -1) {
			if ln.Labels[m[1]] != m[2] {
				ok = false
			}
		}
		ns := ln.T.UnixNano()
		if !ok || ns < start || ns > end || (filter != nil && !filter.MatchString(ln.Line)) {
			continue
		}
		if limit > 0 && n >= limit {
			break
		}
		n++
		key := fmt.Sprint(ln.Labels)
		st, ok := streams[key]
		if !ok {
			st = map[string]any{"stream": ln.Labels, "values": [][2]string{}}
			streams[key] = st
			order = append(order, key)
		}
		st["values"] = append(st["values"].([][2]string), [2]string{strconv.FormatInt(ns, 10), ln.Line})
	}
	result := []any{}
	for _, k := range order {
		result = append(result, streams[k])
	}
	writeJSON(w, map[string]any{"status": "success", "data": map[string]any{"resultType": "streams", "result": result,
		"stats": map[string]any{}}})
}

// Scaffolder fakes the Backstage scaffolder task API: a task history for
// GET /api/scaffolder/v2/tasks, task creation, and tasks that report
// "processing" StepsBeforeDone times before their final status.
type Scaffolder struct {
	*httptest.Server
	History         []map[string]any
	StepsBeforeDone int
	FinalStatus     string // default "completed"
	mu              sync.Mutex
	Created         []map[string]any
	polls           map[string]int
	Token           string
}

// NewScaffolder starts a fake scaffolder API.
func NewScaffolder(t testing.TB, history []map[string]any) *Scaffolder {
	s := &Scaffolder{History: history, StepsBeforeDone: 1, polls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *Scaffolder) handle(w http.ResponseWriter, r *http.Request) {
	if s.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.Token {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]any{"error": map[string]any{"name": "AuthenticationError", "message": "Missing credentials"}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == "GET" && r.URL.Path == "/api/scaffolder/v2/tasks":
		writeJSON(w, map[string]any{"tasks": s.History, "totalTasks": len(s.History)})
	case r.Method == "POST" && r.URL.Path == "/api/scaffolder/v2/tasks":
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["templateRef"] == nil {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]any{"error": map[string]any{"name": "InputError", "message": "templateRef is required"}})
			return
		}
		s.Created = append(s.Created, body)
		id := fmt.Sprintf("task-%d", len(s.Created))
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, map[string]any{"id": id})
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/scaffolder/v2/tasks/"):
		id := strings.TrimPrefix(r.URL.Path, "/api/scaffolder/v2/tasks/")
		if !strings.HasPrefix(id, "task-") {
			http.NotFound(w, r)
			return
		}
		s.polls[id]++
		status := "processing"
		if s.polls[id] > s.StepsBeforeDone {
			status = s.FinalStatus
			if status == "" {
				status = "completed"
			}
		}
		writeJSON(w, map[string]any{"id": id, "status": status, "createdAt": "2026-03-14T10:10:00Z", "spec": map[string]any{}})
	default:
		http.NotFound(w, r)
	}
}

// Webhook records JSON posts.
type Webhook struct {
	*httptest.Server
	mu    sync.Mutex
	Posts []map[string]any
}

// NewWebhook starts a webhook recorder answering 200 "ok" like Slack.
func NewWebhook(t testing.TB) *Webhook {
	h := &Webhook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		h.mu.Lock()
		h.Posts = append(h.Posts, body)
		h.mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(h.Close)
	return h
}

// Count is the number of posts so far.
func (h *Webhook) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.Posts)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// LoadCatalog reads catalog files with the catalog package's files source
// (Locations followed, relations computed) into a graph.
func LoadCatalog(paths ...string) (*catalog.Graph, error) {
	res, err := catalog.LoadFiles(context.Background(), paths)
	if err != nil {
		return nil, err
	}
	return catalog.NewGraph(res.Entities), nil
}

// ExampleCatalog is the bundled examples/catalog the scenarios under
// examples/incidents run against.
func ExampleCatalog(t testing.TB) *catalog.Graph {
	t.Helper()
	g, err := LoadCatalog(filepath.Join(testkit.RepoRoot(), "examples", "catalog", "catalog-info.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// At parses an RFC 3339 time written in a test; a malformed one panics.
func At(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Scope is the scope the engine investigates for focus from start to end:
// the focus and its dependencies, with their names, and the topology.
func Scope(g *catalog.Graph, focus string, start, end time.Time) (source.Scope, source.Topology) {
	topo := source.BuildTopology(g, focus)
	s := source.Scope{Focus: topo.Focus, Entities: append([]string{topo.Focus}, topo.Dependencies...), Start: start, End: end}
	s.Names = source.ScopeNames(g, s.Entities)
	return s, topo
}
