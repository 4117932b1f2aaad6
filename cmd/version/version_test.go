package version_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoBuildFallsBackToBuildInfo builds bsai the way `go build`/`go
// install` do (no -X linker flags) from a fresh git repository holding this
// work tree's sources, and checks that `bsai version` reports the VCS
// revision and commit time the toolchain stamped instead of "none" and
// "unknown". The copy is needed because the toolchain does not stamp VCS
// data in git worktrees, and a clone would build the last commit instead of
// the code under test.
func TestGoBuildFallsBackToBuildInfo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("git is needed: %v", err)
		}
		t.Skip("git not on PATH")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	for _, p := range []string{"main.go", "go.mod", "go.sum", "cmd", "pkg", "internal"} {
		if _, err := os.Stat(filepath.Join(root, p)); os.IsNotExist(err) {
			continue
		}
		if err := os.CopyFS(filepath.Join(repo, p), os.DirFS(filepath.Join(root, p))); err != nil {
			// CopyFS wants a directory; single files are copied by hand.
			b, rerr := os.ReadFile(filepath.Join(root, p))
			if rerr != nil {
				t.Fatalf("copy %s: %v", p, err)
			}
			if werr := os.WriteFile(filepath.Join(repo, p), b, 0o644); werr != nil {
				t.Fatal(werr)
			}
		}
	}
	const when = "2026-03-04T05:06:07Z"
	env := append(os.Environ(), "GIT_AUTHOR_DATE="+when, "GIT_COMMITTER_DATE="+when,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = repo, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "snapshot")
	rev := git("rev-parse", "HEAD")

	bin := filepath.Join(t.TempDir(), "bsai")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = repo
	// The developer's GOFLAGS may carry -buildvcs=false; go install keeps
	// the default (auto), which stamps.
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version", "-o", "json").Output()
	if err != nil {
		t.Fatalf("bsai version: %v", err)
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("not json: %v\n%s", err, out)
	}
	if got["commit"] != rev || got["date"] != when {
		t.Errorf("version -o json = %v, want commit %s and date %s", got, rev, when)
	}
	// With no tag the toolchain derives a pseudo-version from the commit.
	if want := "v0.0.0-20260304050607-" + rev[:12]; got["version"] != want {
		t.Errorf("version = %q, want %s", got["version"], want)
	}
}
