package source_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// seedFiles adds every file matching the globs (relative to the repo root)
// to the corpus, so the fuzzers start from real payloads.
func seedFiles(f *testing.F, max int, globs ...string) {
	n := 0
	for _, g := range globs {
		ps, _ := filepath.Glob(filepath.Join("../../..", g))
		for _, p := range ps {
			if n >= max {
				return
			}
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
				n++
			}
		}
	}
}

// FuzzParseAlert: any bytes give an alert or an error, never a panic, and a
// parsed alert has the fields the engine relies on.
func FuzzParseAlert(f *testing.F) {
	seedFiles(f, 40, "examples/incidents/*/alert.json", "testdata/incidents/*/alert.json", "testdata/alerts/*.json")
	for _, s := range []string{``, `null`, `[]`, `{}`, `[null]`, `{"alerts":null}`, `{"alerts":[{}]}`, `{"event":null}`,
		`{"event":{"data":{"service":{}}}}`, `[{"labels":{"service":"x"},"startsAt":"not a time"}]`,
		`{"alerts":[{"status":"firing","labels":{"service":"a"},"startsAt":"2026-03-14T10:00:00Z"}],"commonLabels":{"service":"b"}}`,
		`{"receiver":"x","status":"firing","orgId":1,"alerts":[{"status":"firing","labels":{"alertname":"A"},"values":{"B":1}}]}`,
		`[{"labels":{"service":"x"},"status":{"state":"suppressed","silencedBy":["s"]}}]`, strings.Repeat(`[`, 10000)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := source.ParseAlert(b)
		if err != nil {
			if a != nil {
				t.Fatalf("alert and error: %+v, %v", a, err)
			}
			return
		}
		if a == nil || a.Format == "" {
			t.Fatalf("no error and no usable alert: %+v", a)
		}
		_ = a.LabelString()
		as, err := source.ParseAlerts(b)
		if err != nil || len(as) == 0 {
			t.Fatalf("ParseAlert accepted what ParseAlerts rejects: %v", err)
		}
	})
}

// FuzzJSONLReaders: deploy and log JSONL readers never panic, return only
// records they could read, and report skipped lines as *BadLines with a
// line number inside the input.
func FuzzJSONLReaders(f *testing.F) {
	seedFiles(f, 10, "examples/incidents/*/deploys.jsonl", "testdata/incidents/*/deploys.jsonl")
	f.Add([]byte("# comment\n{\"time\":\"2026-03-14T10:00:00Z\",\"entity\":\"x\"}\nnot json\n{\"entity\":\"y\"}\n"))
	f.Add([]byte(`{"time":"2026-03-14T10:00:00Z","service":"a","level":"error","msg":"boom"}` + "\n\n\t\n{\"ts\":1}\n"))
	f.Add([]byte("{\"time\": 12}\n{\"time\":\"2026-03-14T10:00:00Z\",\"entity\":\"component:default/a\",\"kind\":\"config\"}\r\n"))
	f.Add([]byte("\x00\xff{\n" + strings.Repeat("x", 70000) + "\n"))
	scope := source.Scope{Focus: "component:default/a", Entities: []string{"component:default/a", "component:default/b"},
		Start: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, b []byte) {
		lines := strings.Count(string(b), "\n") + 1
		check := func(err error) {
			var bad *source.BadLines
			if errors.As(err, &bad) && (bad.Count < 1 || bad.First < 1 || bad.First > lines || bad.Count > lines) {
				t.Fatalf("bad-line report out of range: %+v (input has %d lines)", bad, lines)
			}
		}
		evs, err := source.ParseDeployEvents(b)
		check(err)
		for _, e := range evs {
			if e.Entity == "" || e.Time.IsZero() || e.Kind == "" {
				t.Fatalf("incomplete deploy event returned: %+v", e)
			}
		}
		ls, err := source.ParseLogLines(b, scope)
		check(err)
		for _, l := range ls {
			if l.Entity == "" || l.Time.Before(scope.Start) || l.Time.After(scope.End) {
				t.Fatalf("log line outside scope: %+v", l)
			}
		}
		_ = source.GroupTemplates(ls, "logs", "", 20)
	})
}
