package incident_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const badDeploy = "../../examples/incidents/bad-deploy"

// The report people read: a timeline in order, ratios as percentages, the
// owning team (not its parent chain), one level of wording in the onset
// line, evidence cut at a word with its source on its own line, no
// sparkline off a terminal.
func TestReadableReportThroughCLI(t *testing.T) {
	args := []string{"-c", badDeploy + "/app-config.yaml", "--offline", "incident", "investigate", "--alert", badDeploy + "/alert.json"}
	out, stderr, code := execute(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"Timeline (UTC)\n",
		"  09:52  deploy payments-api v2.14.0 (was v2.13.4) by alice",
		"  09:56  error  first new error in payments-api: \"panic: runtime error",
		"  09:58  onset  onset of payments-api, from metrics",
		"  10:00  alert  alert PaymentsHighErrorRate fired",
		"Onset: 2026-03-14 09:58 UTC from metrics · alert fired 10:00 · window 08:00 → 10:30\n",
		"Owner: group:default/payments-team — on-call PagerDuty PPAYMNT, #payments-oncall\n",
		"payments-api errors                      0.4% → 12%, left baseline 09:58",
		"      from logs.jsonl\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	if strings.Contains(out, "group:default/engineering") || strings.Contains(out, "((") {
		t.Errorf("parent-group chain or nested parentheses in the text report")
	}
	if strings.ContainsAny(out, "▁▂▃▄▅▆▇█") {
		t.Error("sparkline drawn with stdout not a terminal")
	}
	// The JSON timeline: the same story, in time order.
	js, stderr, code := execute(t, append(args, "-o", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Timeline []struct {
			Time       time.Time
			Kind, Text string
		}
		Evidence []struct{ ID, Detail string }
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	// Evidence lines are cut after a whole word, and the file they came
	// from is on its own line.
	for _, e := range rep.Evidence {
		for _, l := range strings.Split(out, "\n") {
			shown, ok := strings.CutPrefix(strings.TrimSpace(l), e.ID+" ")
			if !ok {
				continue
			}
			if strings.Contains(shown, ".jsonl") || strings.Contains(shown, ".json ") {
				t.Errorf("file path glued to the evidence: %q", l)
			}
			if head, cut := strings.CutSuffix(shown, "…"); cut && (!strings.HasPrefix(e.Detail, head) || e.Detail[len(head)] != ' ') {
				t.Errorf("evidence cut mid-word: %q (full: %q)", shown, e.Detail)
			}
		}
	}
	var kinds []string
	for i, e := range rep.Timeline {
		kinds = append(kinds, e.Kind)
		if i > 0 && e.Time.Before(rep.Timeline[i-1].Time) {
			t.Errorf("timeline out of order at %d: %+v", i, rep.Timeline)
		}
	}
	if strings.Join(kinds, ",") != "deploy,deploy,error,metric,onset,alert" {
		t.Errorf("timeline kinds %v", kinds)
	}
	md, _, _ := execute(t, append(args, "-o", "markdown")...)
	if !strings.Contains(md, "### Timeline\n\n| time (UTC) | what | |") || !strings.Contains(md, "| 09:52 | deploy | payments-api v2.14.0") ||
		!strings.Contains(md, "| payments-api | errors | 0.4% → 12% | left baseline 09:58 |") {
		t.Errorf("markdown lacks the timeline or the percentages:\n%s", md)
	}
}

// Runbooks: the service's runbook link, its team's runbook annotation (not
// the department's), the AiResource rule it depends on and the skill in
// its system are cited in the plan; an unrelated rule is not.
func TestRunbooksCitedInPlan(t *testing.T) {
	out, stderr, code := execute(t, "-c", "testdata/runbooks-config.yaml", "--offline", "incident", "investigate",
		"--service", "cart", "--at", "2026-03-14T10:00:00Z", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Runbooks []struct{ Title, URL, Source, Entity, Why string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rb := range rep.Runbooks {
		got[rb.URL] = rb.Source + ": " + rb.Why
	}
	want := map[string]string{
		"https://wiki.example.com/cart/runbook":                         "link: link on component:default/cart (the alerting service)",
		"https://wiki.example.com/storefront/oncall":                    "annotation: annotation runbook.url on group:default/storefront-team, the owner of cart",
		"https://github.com/example/rules/blob/main/incident-schema.md": "rule: AiResource rule linked to component:default/cart (dependsOn)",
		"https://github.com/example/skills/tree/main/cart-cache-triage": "skill: AiResource skill in system:default/storefront, the system of component:default/cart",
	}
	for u, w := range want {
		if got[u] != w {
			t.Errorf("runbook %s: got %q, want %q", u, got[u], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("runbooks %v", got)
	}
	text, _, _ := execute(t, "-c", "testdata/runbooks-config.yaml", "--offline", "incident", "investigate", "--service", "cart", "--at", "2026-03-14T10:00:00Z")
	// The owning team, its escalation (the department's contact), not the
	// department's runbook link: that is not the owner's.
	if !strings.Contains(text, "Owner: group:default/storefront-team — on-call #storefront-oncall\n  escalation: group:default/retail — #retail-escalation\n") {
		t.Errorf("owner lines:\n%s", text)
	}
	plan := text[strings.Index(text, "\nPlan\n"):]
	if !strings.Contains(plan, "- read rule: No schema changes during an incident") || !strings.Contains(plan, "https://wiki.example.com/cart/runbook") {
		t.Errorf("plan does not cite the runbooks:\n%s", text)
	}
}

// On Backstage's own demo catalog (real data), the skills its maintainers
// own are cited for the component they also own.
func TestRunbooksFromBackstageDemo(t *testing.T) {
	dir := t.TempDir()
	root, _ := filepath.Abs("../../testdata/catalogs/backstage-demo")
	cfg := "bsai:\n  catalog:\n    source: files\n    files: [" + root + "/catalog-info.yaml, " + root + "/examples/ai-resources.yaml]\n"
	os.WriteFile(filepath.Join(dir, "app-config.yaml"), []byte(cfg), 0o600)
	out, stderr, code := execute(t, "-c", filepath.Join(dir, "app-config.yaml"), "--offline", "incident", "investigate",
		"--service", "backstage-demo", "--at", "2026-03-14T10:00:00Z", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Runbooks []struct{ Source, URL, Why string }
	}
	json.Unmarshal([]byte(out), &rep)
	if len(rep.Runbooks) == 0 {
		t.Fatalf("no runbooks from the demo's AiResources:\n%s", out)
	}
	for _, rb := range rep.Runbooks {
		if rb.Source != "skill" || !strings.HasPrefix(rb.URL, "https://github.com/backstage/backstage/tree/master/docs/.well-known/skills/") ||
			!strings.Contains(rb.Why, "owned by group:backstage/maintainers") {
			t.Errorf("runbook %+v", rb)
		}
	}
}
