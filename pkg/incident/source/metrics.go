package source

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"
)

// PromResponse is the Prometheus HTTP API envelope for query_range.
type PromResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType,omitempty"`
	Error     string `json:"error,omitempty"`
	Data      struct {
		ResultType string       `json:"resultType"`
		Result     []PromSeries `json:"result"`
	} `json:"data"`
}

// PromSeries is one matrix series: values are [unix seconds, "value"].
type PromSeries struct {
	Metric map[string]string `json:"metric"`
	Values [][2]any          `json:"values"`
}

// Points parses the series' [time, "value"] pairs.
func (ps PromSeries) Points() ([]Point, error) {
	out := make([]Point, 0, len(ps.Values))
	for _, v := range ps.Values {
		ts, ok := v[0].(float64)
		if !ok {
			return nil, fmt.Errorf("timestamp %v is not a number", v[0])
		}
		s, ok := v[1].(string)
		if !ok {
			return nil, fmt.Errorf("value %v is not a string", v[1])
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, err
		}
		sec, frac := math.Modf(ts)
		out = append(out, Point{T: time.Unix(int64(sec), int64(frac*1e9)).UTC(), V: f})
	}
	return out, nil
}

// MetricOptions tune breach detection.
type MetricOptions struct {
	// Thresholds by signal name; absent = change point against baseline.
	Thresholds map[string]float64
}

// MetricFileSource reads saved query_range responses.
type MetricFileSource struct {
	Files []string
	Opts  MetricOptions
}

func (m *MetricFileSource) Name() string { return "metrics" }

func (m *MetricFileSource) Collect(ctx context.Context, s Scope) ([]Evidence, error) {
	var out []Evidence
	for _, f := range m.Files {
		b, err := os.ReadFile(f)
		if err != nil {
			return out, fmt.Errorf("metrics: %w", err)
		}
		var pr PromResponse
		if err := json.Unmarshal(b, &pr); err != nil {
			return out, fmt.Errorf("metrics %s: not a query_range response: %w", f, err)
		}
		for _, ser := range pr.Data.Result {
			ent := s.EntityFor(cmp.Or(ser.Metric["service"], ser.Metric["job"], ser.Metric["app"], ser.Metric["entity"]))
			if ent == "" {
				continue
			}
			name := cmp.Or(ser.Metric["signal"], ser.Metric["__name__"], "value")
			e, err := seriesEvidence(s, ent, name, ser, m.Opts, "metrics", f)
			if err != nil {
				return out, fmt.Errorf("metrics %s: %w", f, err)
			}
			if e != nil {
				out = append(out, *e)
			}
		}
	}
	return out, nil
}

// PromSource queries a Prometheus server, one query_range per entity and
// configured signal.
type PromSource struct {
	URL     string
	Token   string
	HTTP    *http.Client
	Step    time.Duration
	Queries map[string]string // signal name → PromQL with {{.Service}}
	// Overrides are per-entity queries from annotations (ref → name → PromQL).
	Overrides map[string]map[string]string
	Opts      MetricOptions
}

func (p *PromSource) Name() string { return "prometheus" }

func (p *PromSource) Collect(ctx context.Context, s Scope) ([]Evidence, error) {
	type job struct{ ent, name, q string }
	var jobs []job
	for _, ent := range s.Entities {
		qs := map[string]string{}
		for k, v := range p.Queries {
			qs[k] = v
		}
		for k, v := range p.Overrides[ent] {
			qs[k] = v
		}
		names := make([]string, 0, len(qs))
		for k := range qs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, n := range names {
			q, err := renderQuery(qs[n], s.ServiceName(ent), ent)
			if err != nil {
				return nil, fmt.Errorf("prometheus query %s: %w", n, err)
			}
			jobs = append(jobs, job{ent, n, q})
		}
	}
	results := make([][]Evidence, len(jobs))
	errsOut := make([]error, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			pr, err := p.QueryRange(ctx, j.q, s)
			if err != nil {
				errsOut[i] = fmt.Errorf("prometheus %s for %s: %w", j.name, j.ent, err)
				return
			}
			link := strings.TrimRight(p.URL, "/") + "/graph?g0.expr=" + url.QueryEscape(j.q)
			for _, ser := range pr.Data.Result {
				e, err := seriesEvidence(s, j.ent, j.name, ser, p.Opts, "prometheus", link)
				if err != nil {
					errsOut[i] = err
					return
				}
				if e != nil {
					results[i] = append(results[i], *e)
				}
			}
		}()
	}
	wg.Wait()
	var out []Evidence
	for _, r := range results {
		out = append(out, r...)
	}
	for _, err := range errsOut {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// QueryRange runs one PromQL query over the scope's window.
func (p *PromSource) QueryRange(ctx context.Context, q string, s Scope) (*PromResponse, error) {
	step := p.Step
	if step <= 0 {
		step = time.Minute
	}
	v := url.Values{}
	v.Set("query", q)
	v.Set("start", strconv.FormatInt(s.Start.Unix(), 10))
	v.Set("end", strconv.FormatInt(s.End.Unix(), 10))
	v.Set("step", strconv.Itoa(int(step.Seconds())))
	var pr PromResponse
	if err := getJSON(ctx, p.HTTP, strings.TrimRight(p.URL, "/")+"/api/v1/query_range?"+v.Encode(), p.Token, nil, &pr); err != nil {
		return nil, err
	}
	if pr.Status != "success" {
		return nil, fmt.Errorf("%s: %s", pr.ErrorType, pr.Error)
	}
	return &pr, nil
}

func renderQuery(q, service, ref string) (string, error) {
	t, err := template.New("q").Option("missingkey=error").Parse(q)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, map[string]string{"Service": service, "Entity": ref}); err != nil {
		return "", err
	}
	return b.String(), nil
}

// seriesEvidence analyses one series; a series with no points in the window
// yields nothing.
func seriesEvidence(s Scope, ent, name string, ser PromSeries, o MetricOptions, source, link string) (*Evidence, error) {
	pts, err := ser.Points()
	if err != nil {
		return nil, fmt.Errorf("series %s for %s: %w", name, ent, err)
	}
	var in []Point
	for _, p := range pts {
		if !p.T.Before(s.Start) && !p.T.After(s.End) {
			in = append(in, p)
		}
	}
	if len(in) == 0 {
		return nil, nil
	}
	sig := AnalyzeSeries(ent, name, in, o.Thresholds[name])
	d := fmt.Sprintf("%s %s: baseline %s, peak %s", RefName(ent), name, FormatValue(sig.Baseline), FormatValue(sig.Peak))
	var t *time.Time
	if sig.Breach != nil {
		d += ", left baseline at " + sig.Breach.UTC().Format("15:04")
		t = sig.Breach
	} else {
		d += ", steady"
		t = tp(in[len(in)-1].T)
	}
	return &Evidence{Source: source, Kind: KindMetric, Time: t, Entity: ent, Detail: d, Link: link, Signal: sig}, nil
}

// Classify maps a signal name to a class the engine reasons about.
func Classify(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "error"), strings.Contains(n, "5xx"), strings.Contains(n, "fail"):
		return "errors"
	case strings.Contains(n, "latency"), strings.Contains(n, "duration"), strings.Contains(n, "p99"), strings.Contains(n, "p95"):
		return "latency"
	case strings.Contains(n, "saturation"), strings.Contains(n, "connection"), strings.Contains(n, "cpu"),
		strings.Contains(n, "memory"), strings.Contains(n, "util"), strings.Contains(n, "pool"), strings.Contains(n, "disk"):
		return "saturation"
	case strings.Contains(n, "request"), strings.Contains(n, "traffic"), strings.Contains(n, "rps"):
		return "traffic"
	}
	return "other"
}

// AnalyzeSeries finds when a series left its baseline for good: the first
// of two consecutive samples above the limit. The baseline is the first
// third of the window; the limit is the configured threshold or, without
// one, mean + max(4σ, mean) (at least doubling); for saturation mean +
// max(4σ, 20%), capped at 85% of capacity.
func AnalyzeSeries(ent, name string, pts []Point, threshold float64) *Signal {
	sort.Slice(pts, func(i, j int) bool { return pts[i].T.Before(pts[j].T) })
	sig := &Signal{Entity: ent, Name: name, Class: Classify(name), Points: pts}
	nb := len(pts) / 3
	if nb < 3 {
		nb = min(3, len(pts))
	}
	var sum float64
	for _, p := range pts[:nb] {
		sum += p.V
	}
	mean := sum / float64(nb)
	var ss float64
	for _, p := range pts[:nb] {
		ss += (p.V - mean) * (p.V - mean)
	}
	std := math.Sqrt(ss / float64(nb))
	sig.Baseline = mean
	for _, p := range pts {
		sig.Peak = math.Max(sig.Peak, p.V)
	}
	limit := threshold
	if limit <= 0 {
		if sig.Class == "saturation" {
			// Utilisation near capacity matters even when it rose slowly;
			// a jump of a fifth over baseline is a change point.
			capLimit := 0.85
			if mean > 1 || sig.Peak > 1.5 {
				capLimit = 85 // percent
			}
			limit = mean + math.Max(4*std, 0.2*math.Abs(mean))
			if mean < capLimit {
				limit = math.Min(limit, capLimit)
			}
		} else {
			limit = mean + math.Max(4*std, math.Max(mean, 1e-9))
		}
	}
	for i := nb; i < len(pts); i++ {
		if pts[i].V > limit && (i == len(pts)-1 || pts[i+1].V > limit) {
			sig.Breach = tp(pts[i].T)
			break
		}
	}
	return sig
}

// FormatValue prints a sample value compactly (4 significant digits).
func FormatValue(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
