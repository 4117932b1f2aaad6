package redact

import (
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
)

func TestURL(t *testing.T) {
	testkit.StringCases(t, "URL", URL, map[string]string{
		"https://x.example/mcp?access_token=abc&page=2":           "https://x.example/mcp?access_token=<redacted>&page=2",
		"https://x.example/a?api_key=1&apiKey=2&key=3&sig=4&q=ok": "https://x.example/a?api_key=<redacted>&apiKey=<redacted>&key=<redacted>&sig=<redacted>&q=ok",
		"https://x.example/a?X-Amz-Signature=5&token=6":           "https://x.example/a?X-Amz-Signature=<redacted>&token=<redacted>",
		"postgres://bs:pw@db:5432/app":                            "postgres://bs:<redacted>@db:5432/app",
		"https://ghtoken123@github.com/x":                         "https://<redacted>@github.com/x",
		"https://x.example/plain":                                 "https://x.example/plain",
	})
}

func TestString(t *testing.T) {
	in := `Post "http://h/mcp?access_token=s3cr3t&page=1": refused; Authorization: Bearer abcdefgh123; key sk-abcdefghij; ghp_abcdefghijkl; configured=my-configured-value`
	got := String(in, "my-configured-value")
	for _, s := range []string{"s3cr3t", "abcdefgh123", "sk-abcdefghij", "ghp_abcdefghijkl", "my-configured-value"} {
		if strings.Contains(got, s) {
			t.Errorf("%q left in %q", s, got)
		}
	}
	if !strings.Contains(got, "page=1") {
		t.Errorf("harmless query value lost: %q", got)
	}
	if got := String("on and off", "on"); got != "on and off" {
		t.Errorf("short secrets must not blank words: %q", got)
	}
}

func TestArgs(t *testing.T) {
	got := strings.Join(Args([]string{"-y", "server", "--token", "t1", "--api-key=t2", "ghp_abcdefghijk", "https://h/?sig=t3", "--port", "8080", "GITHUB_TOKEN=t4"}), " ")
	for _, s := range []string{"t1", "t2", "ghp_abcdefghijk", "t3", "t4"} {
		if strings.Contains(got, s) {
			t.Errorf("%q left in %q", s, got)
		}
	}
	if !strings.Contains(got, "--port 8080") || !strings.Contains(got, "-y server") {
		t.Errorf("ordinary args masked: %q", got)
	}
}
