package config

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/errs"
)

func TestSourcesAndResolvePath(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"app-config.yaml":       "bsai:\n  catalog:\n    files: ./catalog\n  scaffolder:\n    $include: ./conf/scaffolder.yaml\nlist:\n  - a\n",
		"app-config.local.yaml": "bsai:\n  catalog:\n    cache: ./.cache\n",
		"conf/scaffolder.yaml":  "# templates live beside this file\ntemplates: ./templates\n",
	})
	c, err := Load(LoadOptions{Dir: dir, Env: []string{"APP_CONFIG_bsai_catalog_out=./out"}})
	if err != nil {
		t.Fatal(err)
	}
	base, local, inc := filepath.Join(dir, "app-config.yaml"), filepath.Join(dir, "app-config.local.yaml"), filepath.Join(dir, "conf", "scaffolder.yaml")
	if got := c.Files(); !reflect.DeepEqual(got, []string{base, local}) {
		t.Errorf("Files() = %v", got)
	}
	checks := []struct {
		key  string
		want Source
	}{
		{"bsai.catalog.files", Source{File: base, Line: 3}},
		{"bsai.catalog.cache", Source{File: local, Line: 3}},
		// The merged parent was last set by the local file.
		{"bsai.catalog", Source{File: local, Line: 2}},
		{"bsai.scaffolder.templates", Source{File: inc, Line: 2}},
		{"bsai.scaffolder", Source{File: inc, Line: 1}},
		// Unknown keys fall back to the nearest parent.
		{"bsai.catalog.files.deeper", Source{File: base, Line: 3}},
		{"list[0]", Source{File: base, Line: 6}},
		{"bsai.catalog.out", Source{Env: "APP_CONFIG_bsai_catalog_out"}},
		{"nope", Source{}},
	}
	for _, ck := range checks {
		if got := c.Source(ck.key); got != ck.want {
			t.Errorf("Source(%q) = %+v, want %+v", ck.key, got, ck.want)
		}
	}
	if got := c.Source("bsai.catalog.files").String(); got != base+":3" {
		t.Errorf("Source.String() = %q", got)
	}
	if got := c.Source("bsai.catalog.out").String(); got != "$APP_CONFIG_bsai_catalog_out" {
		t.Errorf("env Source.String() = %q", got)
	}
	resolve := []struct{ key, p, want string }{
		{"bsai.catalog.files", "./catalog", filepath.Join(dir, "catalog")},
		{"bsai.scaffolder.templates", "./templates", filepath.Join(dir, "conf", "templates")},
		{"bsai.catalog.out", "./out", "./out"}, // env values are relative to the working dir
		{"bsai.catalog.files", "/abs/path", "/abs/path"},
		{"bsai.catalog.files", "https://x/y", "https://x/y"},
	}
	for _, r := range resolve {
		if got := c.ResolvePath(r.key, r.p); got != r.want {
			t.Errorf("ResolvePath(%q, %q) = %q, want %q", r.key, r.p, got, r.want)
		}
	}
}

func TestSourceDropsReplacedValues(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.yaml": "a:\n  b:\n    c: 1\n",
		"b.yaml": "a:\n  b: 5\n",
	})
	c, err := Load(LoadOptions{Files: []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	// a.b.c no longer exists; its nearest parent a.b was set by b.yaml.
	if got := c.Source("a.b.c"); got.File != filepath.Join(dir, "b.yaml") || got.Line != 2 {
		t.Errorf("Source(a.b.c) = %+v", got)
	}
}

func TestDecodeErrorNamesFileAndLine(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"app-config.yaml": "bsai:\n  ai:\n    providers:\n      openai:\n        maxTokens: lots\n",
	})
	c, err := Load(LoadOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Providers map[string]struct {
			MaxTokens int `json:"maxTokens"`
		} `json:"providers"`
	}
	err = c.Decode("bsai.ai", &v)
	if err == nil {
		t.Fatal("Decode accepted a string for an int")
	}
	if errs.ExitCode(err) != errs.ExitConfig {
		t.Errorf("exit code %d, want 4", errs.ExitCode(err))
	}
	msg := err.Error()
	for _, want := range []string{filepath.Join(dir, "app-config.yaml") + ":5", `"bsai.ai.providers.openai.maxTokens"`, "expected int", "got string"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}

	_, err = c.String("bsai.ai.providers")
	if err == nil || !strings.Contains(err.Error(), "app-config.yaml:3") || !strings.Contains(err.Error(), "expected a string, got an object") {
		t.Errorf("String on an object: %v", err)
	}
}

func TestDecodeErrorFromEnvOverride(t *testing.T) {
	c, err := Load(LoadOptions{Env: []string{"APP_CONFIG_backend_baseUrl=42"}})
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		BaseURL string `json:"baseUrl"`
	}
	err = c.Decode("backend", &v)
	if err == nil || !strings.Contains(err.Error(), "$APP_CONFIG_backend_baseUrl") {
		t.Errorf("want error naming the env variable, got %v", err)
	}
}

func TestRedacted(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"app-config.yaml": `
backend:
  baseUrl: http://localhost:7007
  auth:
    keys:
      - secret: abc
  database:
    connection: postgres://bs:hunter2@db:5432/app
integrations:
  github:
    - host: github.com
      token: ghp_abcdef
      apps:
        - privateKey: KEY
          clientSecret: CS
          clientId: public-id
auth:
  providers:
    github:
      development:
        clientId: id
        clientSecret: ${AUTH_GITHUB_CLIENT_SECRET}
bsai:
  ai:
    providers:
      openai:
        apiKey: sk-123
        api_key: x
        model: gpt-4o
        maxTokens: 4096
        baseUrl: ${LLM_URL}
        headers:
          Authorization: Bearer abc
          X-Trace: on
  mcp:
    servers:
      gh:
        env:
          GITHUB_PERSONAL_ACCESS_TOKEN: ${GH_PAT}
          LOG_LEVEL: debug
        note: ${GITHUB_TOKEN}
  secrets:
    anything: here
    nested: {deep: 1, flag: true}
  password: 12345
  fromEnv: {$env: OPENAI_API_KEY}
  keyFile: {$file: ./private.pem}
  plain: {$env: LLM_URL}
  literal: "Bearer"
`,
		"private.pem": "PEM\n",
	})
	env := []string{"AUTH_GITHUB_CLIENT_SECRET=cs", "LLM_URL=http://llm", "GH_PAT=pat", "GITHUB_TOKEN=gt", "OPENAI_API_KEY=sk-x",
		"APP_CONFIG_bsai_backstage_token=envtok"}
	c, err := Load(LoadOptions{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	got := normalize(t, c.Redacted())
	want := parse(t, `{
  "backend": {"baseUrl": "http://localhost:7007",
    "auth": {"keys": [{"secret": "<redacted>"}]},
    "database": {"connection": "postgres://bs:<redacted>@db:5432/app"}},
  "integrations": {"github": [{"host": "github.com", "token": "<redacted>",
    "apps": [{"privateKey": "<redacted>", "clientSecret": "<redacted>", "clientId": "public-id"}]}]},
  "auth": {"providers": {"github": {"development": {"clientId": "id", "clientSecret": "<redacted>"}}}},
  "bsai": {
    "ai": {"providers": {"openai": {"apiKey": "<redacted>", "api_key": "<redacted>", "model": "gpt-4o", "maxTokens": 4096,
      "baseUrl": "http://llm", "headers": {"Authorization": "<redacted>", "X-Trace": "on"}}}},
    "mcp": {"servers": {"gh": {"env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "<redacted>", "LOG_LEVEL": "debug"}, "note": "<redacted>"}}},
    "secrets": {"anything": "<redacted>", "nested": {"deep": "<redacted>", "flag": true}},
    "password": "<redacted>",
    "fromEnv": "<redacted>",
    "keyFile": "<redacted>",
    "plain": "http://llm",
    "literal": "Bearer",
    "backstage": {"token": "<redacted>"}
  }
}`)
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("Redacted() =\n%s", gb)
	}
	// Redaction is a copy: the real values are still there for commands.
	if s, _ := c.String("bsai.ai.providers.openai.apiKey"); s != "sk-123" {
		t.Errorf("Redacted modified the config: apiKey = %q", s)
	}
	for key, want := range map[string]bool{"bsai.mcp.servers.gh.note": true, "bsai.ai.providers.openai.model": false,
		"bsai.ai.providers.openai.maxTokens": false, "integrations.github": false, "bsai.secrets.nested.deep": true, "bsai.secrets.nested.flag": false} {
		if got := c.IsSecret(key); got != want {
			t.Errorf("IsSecret(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestRedactedNeverLeaksSecretValues(t *testing.T) {
	// Whatever the layout, no value of a secret-named key may survive.
	c := FromMap(map[string]any{"a": map[string]any{"clientSecret": "S1", "list": []any{map[string]any{"TOKEN": "S2"}}, "Api-Key": 7}})
	b, _ := json.Marshal(c.Redacted())
	for _, s := range []string{"S1", "S2", ":7"} {
		if strings.Contains(string(b), s) {
			t.Errorf("redacted output %s leaks %s", b, s)
		}
	}
}

func TestDecodeCustomErrorNamesTheFailingKey(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"app-config.yaml": "bsai:\n  backstage:\n    baseUrl: http://x\n    timeout: 30s\n  other:\n    a: {timeout: 1s}\n    b: {timeout: soon}\n",
	})
	c, err := Load(LoadOptions{Dir: dir, Env: []string{"APP_CONFIG_bsai_backstage_timeout=true"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Backstage()
	if err == nil || !strings.Contains(err.Error(), `$APP_CONFIG_bsai_backstage_timeout: invalid config key "bsai.backstage.timeout"`) {
		t.Errorf("Backstage() error = %v", err)
	}
	var m map[string]struct {
		Timeout Duration `json:"timeout"`
	}
	err = c.Decode("bsai.other", &m)
	want := filepath.Join(dir, "app-config.yaml") + `:7: invalid config key "bsai.other.b.timeout": invalid duration "soon"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Decode error = %v, want %s", err, want)
	}
}
