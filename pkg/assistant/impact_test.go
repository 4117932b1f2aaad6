package assistant_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/assistant"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

// The question: payments-db has one direct dependent, but the
// Payments API it backs is consumed by three more components. The answer
// lists the direct one first, then the indirect ones with their path, and
// cites every entity it names (the API on the path included).
func TestOfflineBlastRadiusIsTransitive(t *testing.T) {
	ans, g := askOffline(t, "What breaks if payments-db goes down?")
	lines := strings.Split(ans.Answer, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "If Payments database") || !strings.Contains(lines[0], "`component:default/payments-api`") {
		t.Fatalf("first line should name the direct dependent:\n%s", ans.Answer)
	}
	if !strings.HasPrefix(lines[1], "Indirectly affected (3 more, within 2 hops):") {
		t.Errorf("second line should announce the indirect ones:\n%s", ans.Answer)
	}
	if !strings.Contains(lines[2], "via Payments API service (`component:default/payments-api`), which provides Payments API (`api:default/payments-api`)") {
		t.Errorf("the path is not explained:\n%s", ans.Answer)
	}
	want := []string{"resource:default/payments-db", "component:default/payments-api", "api:default/payments-api",
		"component:default/api-gateway", "component:default/checkout-web", "component:default/order-service"}
	if !slices.Equal(ans.Citations, want) {
		t.Errorf("citations %v, want %v", ans.Citations, want)
	}

	textGolden(t, g, ans, "breaks-payments-db.golden")
}

// A dependents question about something nothing depends on still says so,
// with no indirect section.
func TestOfflineNoDependents(t *testing.T) {
	ans, _ := askOffline(t, "What breaks if the metrics pipeline goes down?")
	if !strings.Contains(ans.Answer, "Nothing in the catalog depends on") || strings.Contains(ans.Answer, "Indirectly") {
		t.Errorf("answer:\n%s", ans.Answer)
	}
}

// Transitive dependencies are listed after the direct ones, grouped by the
// entity they are needed through.
func TestOfflineTransitiveDependencies(t *testing.T) {
	ans, _ := askOffline(t, "What does recommendations depend on?")
	if !strings.Contains(ans.Answer, "Indirectly, it needs (1 more, within 2 hops):\n- via Search service (`component:default/search-service`): Search index") {
		t.Errorf("answer:\n%s", ans.Answer)
	}
	if !slices.Contains(ans.Citations, "resource:default/search-index") {
		t.Errorf("citations %v lack the indirect dependency", ans.Citations)
	}
}

// The model sees the indirect dependents on the subject's card, as refs
// grouped by path, so it can answer the blast radius and cite them.
func TestCardOfSubjectListsIndirectDependents(t *testing.T) {
	srv := llmtest.New(t, llmtest.Text("Payments API service (`component:default/payments-api`) breaks; through it API gateway (`component:default/api-gateway`)."))
	a, warnings := withModel(t, srv, false)
	ans, err := a.Ask(context.Background(), assistant.Question{Text: "What breaks if payments-db goes down?"})
	if err != nil {
		t.Fatal(err)
	}
	user := srv.Last().LastUser()
	line := "indirectDependents via component:default/payments-api (api:default/payments-api): component:default/api-gateway, component:default/checkout-web, component:default/order-service\n"
	card := user[strings.Index(user, "[resource:default/payments-db]"):]
	card = card[:strings.Index(card, "\n\n")+1]
	if !strings.Contains(card, line) {
		t.Errorf("subject card lacks %q:\n%s", line, card)
	}
	// Only the subject's card carries it.
	if strings.Count(user, "indirectDependents") != 1 {
		t.Errorf("indirect lines on other cards:\n%s", user)
	}
	if len(*warnings) != 0 || len(ans.Citations) != 2 {
		t.Errorf("warnings %v citations %v", *warnings, ans.Citations)
	}
	// A question without a relation intent gets plain cards.
	srv2 := llmtest.New(t, llmtest.Text("A database (`resource:default/payments-db`)."))
	a2, _ := withModel(t, srv2, false)
	if _, err := a2.Ask(context.Background(), assistant.Question{Text: "Tell me about payments-db"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(srv2.Last().LastUser(), "indirect") {
		t.Errorf("describe question got indirect lines:\n%s", srv2.Last().LastUser())
	}
}
