package e2e

// A real Prometheus and a real Alertmanager (Debian's prometheus and
// prometheus-alertmanager packages; scripts/test.sh installs them when
// missing) for the incident e2e: each test starts its own pair on free
// 127.0.0.1 ports, in their own process groups, killed in t.Cleanup.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tool finds a Prometheus/Alertmanager binary; without it the test skips,
// unless CI or BSAI_REQUIRE_NPM asks for every external part (then it fails).
func tool(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("%s not installed (apt-get install prometheus prometheus-alertmanager; scripts/test.sh does it)", names[0])
	if os.Getenv("CI") == "true" || os.Getenv("BSAI_REQUIRE_NPM") != "" {
		t.Fatalf("%s: CI/BSAI_REQUIRE_NPM is set, so this is a failure", msg)
	}
	t.Skip(msg)
	return ""
}

// proc is a server started in its own process group.
type proc struct {
	name    string
	URL     string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	waitErr error
}

// startProc starts bin with args (which may use the {{port}} placeholder)
// on a free loopback port and waits until readyPath answers 200.
func startProc(t *testing.T, name, bin string, args []string, readyPath string) *proc {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := &proc{name: name, URL: "http://127.0.0.1:" + strconv.Itoa(port), logPath: filepath.Join(dir, name+".log"), exited: make(chan struct{})}
	lf, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "{{port}}", strconv.Itoa(port))
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = lf, lf
	// Own process group so the cleanup kills everything it started; the
	// parent-death signal covers a test binary killed by -timeout.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		lf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p.cmd = cmd
	go func() {
		p.waitErr = cmd.Wait()
		lf.Close()
		close(p.exited)
	}()
	t.Cleanup(p.stop)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+readyPath, nil)
		if resp, err := hc.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited: %v\n%s", name, p.waitErr, p.logTail())
		case <-ctx.Done():
			t.Fatalf("%s not ready at %s%s\n%s", name, p.URL, readyPath, p.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (p *proc) stop() { stopGroup(p.cmd, p.exited) }

func (p *proc) logTail() string {
	b, _ := os.ReadFile(p.logPath)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// promSeries is one series of a saved query_range response.
type promSeries struct {
	Metric map[string]string `json:"metric"`
	Values [][2]any          `json:"values"`
}

// readQueryRange reads a scenario's metrics.json.
func readQueryRange(t *testing.T, path string) []promSeries {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pr struct {
		Data struct {
			Result []promSeries `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &pr); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pr.Data.Result
}

// openMetrics renders series as OpenMetrics text for promtool, grouped by
// metric family as the format requires. Series without a __name__ get
// fallback as their metric name.
func openMetrics(series []promSeries, fallback string) []byte {
	byName := map[string][]promSeries{}
	for _, s := range series {
		n := s.Metric["__name__"]
		if n == "" {
			n = fallback
		}
		byName[n] = append(byName[n], s)
	}
	var b bytes.Buffer
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		fmt.Fprintf(&b, "# TYPE %s gauge\n", n)
		for _, s := range byName[n] {
			keys := make([]string, 0, len(s.Metric))
			for k := range s.Metric {
				if k != "__name__" {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = k + "=" + strconv.Quote(s.Metric[k])
			}
			for _, v := range s.Values {
				fmt.Fprintf(&b, "%s{%s} %v %v\n", n, strings.Join(parts, ","), v[1], strconv.FormatFloat(v[0].(float64), 'f', -1, 64))
			}
		}
	}
	b.WriteString("# EOF\n")
	return b.Bytes()
}

// startPrometheus backfills series into a fresh TSDB with promtool and
// starts Prometheus on it: no scrape jobs (nothing else lands in the head),
// retention far beyond the scenario's age (retention would otherwise drop
// blocks months old), and a lookback shorter than the scenario's step so an
// instant never repeats the previous sample.
func startPrometheus(t *testing.T, series []promSeries, lookback time.Duration) *proc {
	t.Helper()
	prom := tool(t, "prometheus")
	promtool := tool(t, "promtool")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	om := filepath.Join(dir, "series.om")
	if err := os.WriteFile(om, openMetrics(series, "bsai_e2e_signal"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", om, data).CombinedOutput(); err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1m\nscrape_configs: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return startProc(t, "prometheus", prom, []string{
		"--config.file=" + cfg,
		"--storage.tsdb.path=" + data,
		"--storage.tsdb.retention.time=100y",
		"--web.listen-address=127.0.0.1:{{port}}",
		"--query.lookback-delta=" + lookback.String(),
	}, "/-/ready")
}

// startAlertmanager starts Alertmanager with a do-nothing receiver and
// clustering off (it would otherwise listen on 0.0.0.0:9094).
func startAlertmanager(t *testing.T) *proc {
	t.Helper()
	am := tool(t, "prometheus-alertmanager", "alertmanager")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte("route:\n  receiver: none\nreceivers:\n  - name: none\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return startProc(t, "alertmanager", am, []string{
		"--config.file=" + cfg,
		"--storage.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:{{port}}",
		"--cluster.listen-address=",
	}, "/-/ready")
}

// amtoolAdd posts one alert with amtool, as an operator or a script would.
func amtoolAdd(t *testing.T, am *proc, labels, annotations map[string]string, startsAt time.Time, generatorURL string) {
	t.Helper()
	bin := tool(t, "amtool")
	args := []string{"--alertmanager.url=" + am.URL, "alert", "add"}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, k+"="+labels[k])
	}
	keys = keys[:0]
	for k := range annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--annotation="+k+"="+annotations[k])
	}
	args = append(args, "--start="+startsAt.UTC().Format(time.RFC3339))
	if generatorURL != "" {
		args = append(args, "--generator-url="+generatorURL)
	}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("amtool %v: %v\n%s", args, err, out)
	}
}

// httpGet returns a body from one of the servers.
func httpGet(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v\n%s", u, resp.StatusCode, err, b)
	}
	return b
}
