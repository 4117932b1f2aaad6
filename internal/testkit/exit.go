package testkit

import (
	"errors"
	"os/exec"
	"testing"
)

// ExitCode is how a child process ended, from the error Run or Wait
// returned: 0 for nil, the exit code when it exited non-zero (-1 when a
// signal killed it). Any other error (it did not start, or could not be
// waited for) fails the test.
func ExitCode(t testing.TB, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("run child process: %v", err)
	}
	return 0
}
