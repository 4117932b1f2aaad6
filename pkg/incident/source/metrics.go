package source

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bsai-dev/bsai/pkg/boundedio"
	"math"
	"net/http"
	"net/url"
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

// BadValues counts the samples of a series that could not be read. They
// are skipped; the other samples are kept.
type BadValues struct {
	Count int
	First int   // 1-based position of the first bad sample in the series
	Err   error // why it was bad
}

func (b *BadValues) Error() string {
	return fmt.Sprintf("skipped %d bad sample(s), the first at position %d: %v", b.Count, b.First, b.Err)
}

// Points parses the series' [time, "value"] pairs. Samples that are not a
// number at a number are skipped and counted: the error is then a
// *BadValues and the points read are still returned.
func (ps PromSeries) Points() ([]Point, error) {
	out := make([]Point, 0, len(ps.Values))
	var bad *BadValues
	skip := func(i int, err error) {
		if bad == nil {
			bad = &BadValues{First: i + 1, Err: err}
		}
		bad.Count++
	}
	for i, v := range ps.Values {
		ts, ok := v[0].(float64)
		if !ok || math.IsNaN(ts) || math.IsInf(ts, 0) {
			skip(i, fmt.Errorf("timestamp %v is not a number", v[0]))
			continue
		}
		s, ok := v[1].(string)
		if !ok {
			skip(i, fmt.Errorf("value %v is not a string", v[1]))
			continue
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			skip(i, err)
			continue
		}
		sec, frac := math.Modf(ts)
		out = append(out, Point{T: time.Unix(int64(sec), int64(frac*1e9)).UTC(), V: f})
	}
	if bad != nil {
		return out, bad
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
	Limit boundedio.Limit // per file; zero = boundedio's input default
}

func (m *MetricFileSource) Name() string { return "metrics" }

func (m *MetricFileSource) Collect(ctx context.Context, s Scope) ([]Evidence, error) {
	var out []Evidence
	var warns []error
	for _, f := range m.Files {
		b, err := boundedio.ReadFile(ctx, f, m.Limit)
		if err != nil {
			warns = append(warns, fmt.Errorf("metrics: %w", err))
			continue
		}
		var pr PromResponse
		if err := json.Unmarshal(b, &pr); err != nil {
			warns = append(warns, fmt.Errorf("metrics %s: not a query_range response: %w", f, err))
			continue
		}
		var raw []rawSeries
		for _, ser := range pr.Data.Result {
			ent := s.EntityFor(cmp.Or(ser.Metric["service"], ser.Metric["job"], ser.Metric["app"], ser.Metric["entity"]))
			if ent == "" {
				continue
			}
			name := cmp.Or(ser.Metric["signal"], ser.Metric["__name__"], "value")
			raw = append(raw, rawSeries{ent: ent, name: name, ser: ser, link: f})
		}
		ev, err := analyzeGroup(s, raw, m.Opts, "metrics")
		out = append(out, ev...)
		if err != nil {
			warns = append(warns, fmt.Errorf("metrics %s: %w", f, err))
		}
	}
	return out, errors.Join(warns...)
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
	results := make([][]rawSeries, len(jobs))
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
				results[i] = append(results[i], rawSeries{ent: j.ent, name: j.name, ser: ser, link: link})
			}
		}()
	}
	wg.Wait()
	var raw []rawSeries
	for _, r := range results {
		raw = append(raw, r...)
	}
	out, err := analyzeGroup(s, raw, p.Opts, "prometheus")
	if err != nil {
		return out, err
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

// rawSeries is one fetched series before analysis.
type rawSeries struct {
	ent, name, link string
	ser             PromSeries
}

// limitSuffixes mark a series that states another series' known maximum
// for the same entity: db_connections_max, cpu_usage_cores_limit,
// disk_used_bytes_capacity (exporters publish limits as their own series).
var limitSuffixes = []string{"_max", "_limit", "_capacity"}

func limitOf(name string) (string, bool) {
	for _, suf := range limitSuffixes {
		if base, ok := strings.CutSuffix(name, suf); ok && base != "" {
			return base, true
		}
	}
	return "", false
}

// analyzeGroup turns fetched series into evidence; limit series give the
// known maximum of their base series and are not signals themselves.
func analyzeGroup(s Scope, raw []rawSeries, o MetricOptions, source string) ([]Evidence, error) {
	type key struct{ ent, name string }
	limits := map[key]float64{}
	var warns []error
	names := map[string]bool{}
	for _, r := range raw {
		names[r.name] = true
	}
	for _, r := range raw {
		base, ok := limitOf(r.name)
		if !ok || !names[base] {
			continue
		}
		pts, err := r.ser.Points()
		if err != nil {
			warns = append(warns, fmt.Errorf("series %s for %s: %w", r.name, r.ent, err))
		}
		for _, p := range inWindow(s, pts) {
			limits[key{r.ent, base}] = math.Max(limits[key{r.ent, base}], p.V)
		}
	}
	var out []Evidence
	for _, r := range raw {
		if base, ok := limitOf(r.name); ok && names[base] {
			continue
		}
		e, err := seriesEvidence(s, r.ent, r.name, r.ser, o, limits[key{r.ent, r.name}], source, r.link)
		if err != nil {
			warns = append(warns, err)
		}
		if e != nil {
			out = append(out, *e)
		}
	}
	return out, errors.Join(warns...)
}

func inWindow(s Scope, pts []Point) []Point {
	var in []Point
	for _, p := range pts {
		if !p.T.Before(s.Start) && !p.T.After(s.End) {
			in = append(in, p)
		}
	}
	return in
}

// seriesEvidence analyses one series; a series with no points in the window
// yields nothing. max is the resource's known maximum, 0 when unknown.
func seriesEvidence(s Scope, ent, name string, ser PromSeries, o MetricOptions, max float64, source, link string) (*Evidence, error) {
	pts, err := ser.Points()
	if err != nil {
		// Bad samples are skipped and counted; the rest is analysed.
		err = fmt.Errorf("series %s for %s: %w", name, ent, err)
	}
	in := inWindow(s, pts)
	if len(in) == 0 {
		return nil, err
	}
	sig := AnalyzeSeriesMax(ent, name, in, o.Thresholds[name], max)
	d := fmt.Sprintf("%s %s: baseline %s, peak %s", RefName(ent), name, sig.Format(sig.Baseline), sig.Format(sig.Peak))
	if sig.Max > 0 {
		if !sig.IsRatio() {
			d += fmt.Sprintf(" of max %s (%s)", sig.Format(sig.Max), Percent(sig.Peak/sig.Max))
		}
	}
	var t *time.Time
	if sig.Breach != nil {
		d += ", left baseline at " + sig.Breach.UTC().Format("15:04")
		if sig.Saturated {
			d += ", saturated"
		}
		t = sig.Breach
	} else {
		d += ", steady"
		t = tp(in[len(in)-1].T)
	}
	return &Evidence{Source: source, Kind: KindMetric, Time: t, Entity: ent, Detail: d, Link: link, Signal: sig}, err
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

// Saturation is judged against the resource's known maximum.
const (
	// SaturatedAt is the share of the maximum a series must reach after
	// leaving its baseline to count as saturated.
	SaturatedAt = 0.9
	// saturatedThroughout: a baseline already this close to the maximum is
	// not a change point (it was saturated before the incident too).
	saturatedThroughout = 0.98
	// headroomStep is the smallest rise, as a share of the remaining
	// headroom, that counts as leaving a noiseless baseline.
	headroomStep = 0.05
)

// AnalyzeSeries is AnalyzeSeriesMax with the maximum inferred from the
// signal's name (ratios 1, percentages 100) or unknown.
func AnalyzeSeries(ent, name string, pts []Point, threshold float64) *Signal {
	return AnalyzeSeriesMax(ent, name, pts, threshold, 0)
}

// AnalyzeSeriesMax finds when a series left its baseline for good: the
// first of two consecutive samples above the limit. The baseline is the
// first third of the window. The limit is the configured threshold or,
// without one, a change against the series' own variance: mean + max(4σ,
// mean) (at least doubling) for errors and latency; for saturation with a
// known maximum mean + max(4σ, 5% of the headroom left), and Saturated says
// whether it then reached SaturatedAt of that maximum; with none known,
// mean + max(4σ, 20%).
func AnalyzeSeriesMax(ent, name string, pts []Point, threshold, max float64) *Signal {
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
	if sig.Class == "saturation" {
		if max <= 0 {
			max = inferMax(name, sig.Peak)
		}
		sig.Max = max
	}
	limit := threshold
	if limit <= 0 {
		switch {
		case sig.Class == "saturation" && max > 0:
			limit = mean + math.Max(4*std, headroomStep*math.Max(max-mean, 0))
			if mean >= saturatedThroughout*max {
				limit = math.Inf(1)
			}
		case sig.Class == "saturation":
			limit = mean + math.Max(4*std, 0.2*math.Abs(mean))
		default:
			limit = mean + math.Max(4*std, math.Max(mean, 1e-9))
		}
	}
	for i := nb; i < len(pts); i++ {
		if pts[i].V > limit && (i == len(pts)-1 || pts[i+1].V > limit) {
			sig.Breach = tp(pts[i].T)
			break
		}
	}
	if sig.Breach != nil && max > 0 {
		sig.Saturated = sig.Peak >= SaturatedAt*max
	}
	return sig
}

// inferMax knows the maximum of ratios (1) and percentages (100) from the
// signal's name; other units need a limit series.
func inferMax(name string, peak float64) float64 {
	n := strings.ToLower(name)
	ratio := false
	for _, w := range []string{"ratio", "utilization", "utilisation", "util", "fraction"} {
		if strings.Contains(n, w) {
			ratio = true
		}
	}
	pct := strings.Contains(n, "percent") || strings.Contains(n, "pct")
	switch {
	case pct && peak <= 100, ratio && peak > 1.5 && peak <= 100:
		return 100
	case ratio && peak <= 1.5:
		return 1
	}
	return 0
}

// FormatValue prints a sample value compactly (4 significant digits).
func FormatValue(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
