package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// TestE2EAskOffline asks about the live catalog without a model: every ref
// the answer cites exists in that Backstage, and the owner Backstage
// computed for the entity asked about is among them.
func TestE2EAskOffline(t *testing.T) {
	e := need(t)
	live, err := e.Backend.allEntities(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	exists := map[string]bool{}
	for _, le := range live {
		exists[le.ref()] = true
	}
	var comp rawEntity
	var owner string
	for _, le := range live {
		if le.Kind != "Component" {
			continue
		}
		for _, r := range le.Relations {
			if r.Type == "ownedBy" {
				comp, owner = le, strings.ToLower(r.TargetRef)
			}
		}
		if owner != "" {
			break
		}
	}
	if owner == "" {
		t.Fatal("no owned component in the backend")
	}
	var res struct {
		Answer    string   `json:"answer"`
		Citations []string `json:"citations"`
		Mode      string   `json:"mode"`
	}
	q := "who owns " + comp.Metadata.Name + " and what does it depend on?"
	e.JSON(t, &res, append(e.Remote(), "--offline", "ask", q)...)
	if res.Mode != "offline" || len(res.Citations) == 0 {
		t.Fatalf("mode %q, %d citations", res.Mode, len(res.Citations))
	}
	cited := map[string]bool{}
	for _, c := range res.Citations {
		c = strings.ToLower(c)
		cited[c] = true
		if !exists[c] {
			t.Errorf("cites %s, which this Backstage does not have", c)
		}
	}
	// Refs written in the answer text are citations too.
	for _, m := range regexp.MustCompile("`([a-z]+:[a-z0-9._-]+/[a-z0-9._-]+)`").FindAllStringSubmatch(strings.ToLower(res.Answer), -1) {
		if !exists[m[1]] {
			t.Errorf("answer mentions %s, which this Backstage does not have", m[1])
		}
	}
	if !cited[comp.ref()] || !cited[owner] {
		t.Errorf("asked about %s (owned by %s per Backstage); citations %v\n%s", comp.ref(), owner, res.Citations, res.Answer)
	}
}
