package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// RepoRoot is the module root (this file is internal/testkit/build.go).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// BsaiBinary returns the bsai binary the CLI-level test suites run: the one
// named by BSAI_E2E_BIN (e.g. a release build or one from a clean checkout)
// when that is set, otherwise a fresh `go build` of the repository into dir.
// It is meant for TestMain or a sync.Once, so each test package builds once.
func BsaiBinary(dir string) (string, error) {
	if b := os.Getenv("BSAI_E2E_BIN"); b != "" {
		return filepath.Abs(b)
	}
	bin := filepath.Join(dir, "bsai")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}
