package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestE2EDoctor: against the real Backstage backend, doctor makes its one
// request, reports the token accepted and the catalog's size, and exits 0;
// with a wrong token it says so and exits 1, never printing the token.
func TestE2EDoctor(t *testing.T) {
	e := need(t)
	r := e.Bsai(t, append(e.Remote(), "--offline", "doctor", "-o", "json")...)
	if r.Code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	var rep struct {
		OK     bool
		Checks []struct{ Group, Status, Detail string }
	}
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	found := false
	for _, c := range rep.Checks {
		if c.Group == "backstage" {
			found = true
			if c.Status != "ok" || !strings.Contains(c.Detail, "token accepted") || !strings.Contains(c.Detail, " entities") {
				t.Errorf("backstage check %+v", c)
			}
		}
	}
	if !found || !rep.OK {
		t.Errorf("report %+v", rep)
	}

	const bad = "not-the-right-token"
	r = e.Bsai(t, "--catalog", e.BaseURL, "--token", bad, "--offline", "doctor")
	if r.Code != 1 || !strings.Contains(r.Stdout, "token rejected (http 401)") {
		t.Errorf("want exit 1 and a rejected-token line\n%s", r)
	}
	if strings.Contains(r.Stdout+r.Stderr, bad) {
		t.Errorf("token leaked\n%s", r)
	}
}
