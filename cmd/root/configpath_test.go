package root

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The per-user file is merged first, the working directory's files on top;
// `config path` lists them in that order.
func TestUserConfigDiscoveryAndConfigPath(t *testing.T) {
	clearEnv(t)
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	user := filepath.Join(xdg, "bsai", "app-config.yaml")
	if err := os.MkdirAll(filepath.Dir(user), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, user, "bsai:\n  ai:\n    default: from-user\n  backstage:\n    baseUrl: http://user.example:7007\n")
	writeFile(t, "app-config.yaml", "bsai:\n  backstage:\n    baseUrl: http://project.example:7007\n")

	r := run(t, "config", "show", "--jq", ".bsai | [.ai.default, .backstage.baseUrl] | join(\" \")")
	if r.code != 0 || r.out != "from-user http://project.example:7007\n" {
		t.Errorf("merged: exit %d %q %q (user value kept, project value wins)", r.code, r.out, r.errOut)
	}

	r = run(t, "config", "path")
	if want := user + "\napp-config.yaml\n"; r.code != 0 || r.out != want {
		t.Errorf("config path = %q, want %q", r.out, want)
	}
	r = run(t, "-v", "config", "path")
	if !strings.Contains(r.errOut, "not found (project): app-config.local.yaml") {
		t.Errorf("-v stderr %q", r.errOut)
	}
	r = run(t, "config", "path", "-o", "json")
	var res struct {
		Files    []string
		Searched []struct {
			Path, Origin string
			Found        bool
		}
	}
	if err := json.Unmarshal([]byte(r.out), &res); err != nil {
		t.Fatalf("json: %v\n%s", err, r.out)
	}
	if len(res.Searched) != 3 || res.Searched[0].Origin != "user" || !res.Searched[0].Found || res.Searched[2].Found {
		t.Errorf("searched = %+v", res.Searched)
	}

	// --config replaces the defaults, user file included; a missing one is
	// listed as searched, and path still works with a broken file.
	writeFile(t, "broken.yaml", "a: [\n")
	r = run(t, "-c", "broken.yaml", "-c", "missing.yaml", "config", "path")
	if r.code != 0 || r.out != "broken.yaml\n" {
		t.Errorf("with -c: exit %d %q %q", r.code, r.out, r.errOut)
	}
}
