// Package vendortest replays real vendors' wire formats for tests. Each
// vendor under testdata/vendors/<vendor>/ has a vendor.yaml that says what
// the vendor accepts (auth header, paths, required query parameters, and
// rules for requests it rejects, each answered with that vendor's own error
// transcript) and a set of response transcripts: raw HTTP responses, served
// byte for byte. SOURCES.md beside them names where each transcript's wire
// format comes from (vendor documentation, captures published in client
// projects' tests and issues).
//
// A test scripts which transcripts answer the requests the vendor accepts,
// in order; a request the vendor would reject is answered with the rule's
// error transcript and recorded, so a test can assert that bsai never sent
// what the vendor refuses — or that it recovered when it had to.
//
//	srv := vendortest.Start(t, "openai", "chat-stream-usage")
//	cfg := srv.ProviderConfig("gpt-4o-mini")
//	... run bsai against cfg ...
//	srv.Rejections() // requests the vendor would have refused
package vendortest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
	"gopkg.in/yaml.v3"
)

// Key is the API key tests configure; it must never appear in output.
const Key = "sk-vendortest-4f1c9e2a7b3d5SECRET"

// Profile is a vendor.yaml: what one vendor's endpoint accepts.
type Profile struct {
	Name string `yaml:"name"`
	// Type is bsai's provider type for this vendor (openai, azure, ...).
	Type string `yaml:"type"`
	Docs string `yaml:"docs"`
	// BasePath is appended to the server address to make the baseUrl a
	// user configures (/v1, /v1beta/openai/, "" for Azure).
	BasePath string `yaml:"basePath"`
	// Config holds extra provider settings (apiVersion, ...) as YAML
	// scalars for ConfigYAML.
	Config map[string]string `yaml:"config"`
	// Auth: the header carrying the key and its value, with {key}
	// standing for the key ("Bearer {key}", or "{key}" for api-key).
	Auth struct {
		Header string `yaml:"header"`
		Value  string `yaml:"value"`
	} `yaml:"auth"`
	// ChatPath and EmbeddingsPath may contain {model}, the request's
	// model (Azure's deployment path).
	ChatPath       string            `yaml:"chatPath"`
	EmbeddingsPath string            `yaml:"embeddingsPath"`
	Query          map[string]string `yaml:"query"` // required query parameters ("*" = any value)
	// Unauthorized answers a wrong or missing key.
	Unauthorized string `yaml:"unauthorized"`
	Rules        []Rule `yaml:"rules"`
}

// Rule is a request the vendor rejects. Every condition given must hold for
// the rule to fire; the first rule that fires answers with Respond.
type Rule struct {
	Name string `yaml:"name"`
	// Endpoint is "chat" (default) or "embeddings".
	Endpoint string `yaml:"endpoint"`
	// Model is a regular expression on the request's model.
	Model string `yaml:"model"`
	// Present / Absent: dotted JSON paths that must be there / not there.
	Present []string `yaml:"present"`
	Absent  []string `yaml:"absent"`
	// Equals / NotEquals: dotted JSON path → value (compared as JSON).
	Equals    map[string]any `yaml:"equals"`
	NotEquals map[string]any `yaml:"notEquals"`
	// MaxItems: dotted JSON path of an array → the most items accepted.
	MaxItems map[string]int `yaml:"maxItems"`
	// MessageField: a message field the vendor refuses when present on any
	// message (e.g. "name" on tool messages), given as role:field.
	MessageField string `yaml:"messageField"`
	// MinBodyBytes: the request body is at least this long (a context
	// window, in the vendor's own terms, for a small-context model).
	MinBodyBytes int `yaml:"minBodyBytes"`
	// ToolCallsWithout: an assistant message in the history whose first
	// tool call lacks this field (Gemini's extra_content signature).
	ToolCallsWithout string `yaml:"toolCallsWithout"`
	Respond          string `yaml:"respond"`
}

// Request is one request the server saw.
type Request struct {
	llmtest.Wire
	// Rule is the name of the rule that rejected it ("" = accepted).
	Rule string
	// Served is the transcript that answered it.
	Served string
}

// Server is a running replay of one vendor.
type Server struct {
	// Vendor is the folder name under testdata/vendors.
	Vendor  string
	t       testing.TB
	dir     string
	Profile Profile
	URL     string // base URL to configure (ends before the vendor's paths)

	mu     sync.Mutex
	script []string
	reqs   []Request
}

// Dir returns testdata/vendors/<vendor> at the module root.
func Dir(vendor string) string {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	return filepath.Join(root, "testdata", "vendors", vendor)
}

// Vendors lists the vendors that have a vendor.yaml.
func Vendors() []string {
	matches, _ := filepath.Glob(filepath.Join(Dir(""), "*", "vendor.yaml"))
	var out []string
	for _, m := range matches {
		out = append(out, filepath.Base(filepath.Dir(m)))
	}
	return out
}

// LoadProfile reads a vendor's vendor.yaml.
func LoadProfile(vendor string) (Profile, error) {
	var p Profile
	b, err := os.ReadFile(filepath.Join(Dir(vendor), "vendor.yaml"))
	if err != nil {
		return p, err
	}
	if err := yaml.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("%s/vendor.yaml: %w", vendor, err)
	}
	return p, nil
}

// Start serves vendor on 127.0.0.1; script names the transcripts (file
// names without .http) that answer accepted requests, in order.
func Start(t testing.TB, vendor string, script ...string) *Server {
	t.Helper()
	p, err := LoadProfile(vendor)
	if err != nil {
		t.Fatalf("vendortest: %v", err)
	}
	s := &Server{Vendor: vendor, t: t, dir: Dir(vendor), Profile: p, script: script}
	for _, name := range script {
		if _, err := os.Stat(s.file(name)); err != nil {
			t.Fatalf("vendortest: %s: no transcript %s", vendor, name)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("vendortest: %v", err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(s.serve)}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	s.URL = "http://" + ln.Addr().String()
	return s
}

// Script appends transcripts to answer further accepted requests.
func (s *Server) Script(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, names...)
}

// Requests returns every request seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Rejections returns the requests a rule refused.
func (s *Server) Rejections() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Rule != "" {
			out = append(out, r)
		}
	}
	return out
}

// Remaining is how many scripted transcripts were not served.
func (s *Server) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script)
}

func (s *Server) file(name string) string {
	if !strings.HasSuffix(name, ".http") {
		name += ".http"
	}
	return filepath.Join(s.dir, name)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	req := Request{Wire: llmtest.Record(r, raw)}
	model, _ := req.Body["model"].(string)

	endpoint, problem := s.route(r, model)
	var answer string
	switch {
	case problem != "":
		s.record(req)
		http.Error(w, "vendortest: "+problem, http.StatusNotFound)
		s.t.Errorf("vendortest %s: %s %s: %s", s.Profile.Name, r.Method, r.URL, problem)
		return
	case !s.authorized(r):
		req.Rule, answer = "unauthorized", s.Profile.Unauthorized
	default:
		if rule, ok := s.reject(endpoint, model, req.Body, len(raw)); ok {
			req.Rule, answer = rule.Name, rule.Respond
		}
	}
	if answer == "" {
		s.mu.Lock()
		if len(s.script) == 0 {
			s.mu.Unlock()
			s.record(req)
			s.t.Errorf("vendortest %s: unscripted request %s %s: %.300s", s.Profile.Name, r.Method, r.URL.Path, raw)
			http.Error(w, "vendortest: no transcript left", http.StatusInternalServerError)
			return
		}
		answer, s.script = s.script[0], s.script[1:]
		s.mu.Unlock()
		if (endpoint == "embeddings") != strings.HasPrefix(filepath.Base(answer), "embeddings") {
			s.t.Errorf("vendortest %s: script mismatch: a %s request answered by %s", s.Profile.Name, endpoint, answer)
		}
	}
	req.Served = answer
	s.record(req)
	s.replay(w, answer, req.Body)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
}

// route checks the path and query against the profile.
func (s *Server) route(r *http.Request, model string) (string, string) {
	if r.Method != http.MethodPost {
		return "", "method " + r.Method + " (the vendor takes POST)"
	}
	endpoint := ""
	for name, pattern := range map[string]string{"chat": s.Profile.ChatPath, "embeddings": s.Profile.EmbeddingsPath} {
		if pattern != "" && r.URL.Path == strings.ReplaceAll(pattern, "{model}", url.PathEscape(model)) {
			endpoint = name
		}
		// Azure puts the deployment in the path and needs no model field.
		if pattern != "" && strings.Contains(pattern, "{model}") {
			re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), regexp.QuoteMeta("{model}"), "[^/]+") + "$")
			if re.MatchString(r.URL.Path) {
				endpoint = name
			}
		}
	}
	if endpoint == "" {
		return "", "path " + r.URL.Path + " is not one this vendor serves"
	}
	for k, v := range s.Profile.Query {
		got := r.URL.Query().Get(k)
		if got == "" || (v != "*" && got != v) {
			return "", fmt.Sprintf("query parameter %s=%q missing or wrong (want %q)", k, got, v)
		}
	}
	return endpoint, ""
}

func (s *Server) authorized(r *http.Request) bool {
	if s.Profile.Auth.Header == "" {
		return true
	}
	want := strings.ReplaceAll(s.Profile.Auth.Value, "{key}", Key)
	return r.Header.Get(s.Profile.Auth.Header) == want
}

func (s *Server) reject(endpoint, model string, body map[string]any, size int) (Rule, bool) {
	for _, rule := range s.Profile.Rules {
		ep := rule.Endpoint
		if ep == "" {
			ep = "chat"
		}
		if ep == endpoint && rule.matches(model, body, size) {
			return rule, true
		}
	}
	return Rule{}, false
}

func (rule Rule) matches(model string, body map[string]any, size int) bool {
	if rule.Model != "" && !regexp.MustCompile(rule.Model).MatchString(model) {
		return false
	}
	if rule.MinBodyBytes > 0 && size < rule.MinBodyBytes {
		return false
	}
	if rule.ToolCallsWithout != "" {
		missing := false
		msgs, _ := body["messages"].([]any)
		for _, m := range msgs {
			mm, _ := m.(map[string]any)
			calls, _ := mm["tool_calls"].([]any)
			if len(calls) > 0 {
				first, _ := calls[0].(map[string]any)
				if _, ok := first[rule.ToolCallsWithout]; !ok {
					missing = true
				}
			}
		}
		if !missing {
			return false
		}
	}
	for _, p := range rule.Present {
		if _, ok := lookup(body, p); !ok {
			return false
		}
	}
	for _, p := range rule.Absent {
		if _, ok := lookup(body, p); ok {
			return false
		}
	}
	for p, want := range rule.Equals {
		got, ok := lookup(body, p)
		if !ok || !sameJSON(got, want) {
			return false
		}
	}
	for p, want := range rule.NotEquals {
		got, ok := lookup(body, p)
		if !ok || sameJSON(got, want) {
			return false
		}
	}
	for p, n := range rule.MaxItems {
		got, ok := lookup(body, p)
		arr, isArr := got.([]any)
		if !ok || !isArr || len(arr) <= n {
			return false
		}
	}
	if rule.MessageField != "" {
		role, field, _ := strings.Cut(rule.MessageField, ":")
		msgs, _ := body["messages"].([]any)
		found := false
		for _, m := range msgs {
			mm, _ := m.(map[string]any)
			if mm["role"] == role {
				if _, ok := mm[field]; ok {
					found = true
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// lookup follows a dotted path ("response_format.type"); a numeric segment
// indexes an array, "*" means any element.
func lookup(v any, path string) (any, bool) {
	cur := v
	parts := strings.Split(path, ".")
	for i, part := range parts {
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[part]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			if part == "*" {
				for _, el := range c {
					if got, ok := lookup(el, strings.Join(parts[i+1:], ".")); ok {
						return got, true
					}
				}
				return nil, false
			}
			var idx int
			if _, err := fmt.Sscanf(part, "%d", &idx); err != nil || idx < 0 || idx >= len(c) {
				return nil, false
			}
			cur = c[idx]
		default:
			if part == "" {
				return cur, true
			}
			return nil, false
		}
	}
	return cur, true
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// replay writes a transcript: its status, headers and body bytes as
// recorded. Streams are flushed event by event so clients see them arrive
// in pieces, as from the real server.
func (s *Server) replay(w http.ResponseWriter, name string, body map[string]any) {
	b, err := os.ReadFile(s.file(name))
	if err != nil {
		s.t.Errorf("vendortest: %v", err)
		http.Error(w, err.Error(), 500)
		return
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
	if err != nil {
		s.t.Errorf("vendortest: %s: not an HTTP response: %v", name, err)
		http.Error(w, err.Error(), 500)
		return
	}
	payload, _ := io.ReadAll(resp.Body)
	stream := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	if want, _ := body["stream"].(bool); resp.StatusCode == 200 && want != stream && body["input"] == nil {
		s.t.Errorf("vendortest %s: script mismatch: request stream=%v answered by %s (stream=%v)", s.Profile.Name, want, name, stream)
	}
	for k, vs := range resp.Header {
		if k == "Content-Length" {
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	if !stream {
		_, _ = w.Write(payload)
		return
	}
	f, _ := w.(http.Flusher)
	for len(payload) > 0 {
		i := bytes.Index(payload, []byte("\n\n"))
		n := len(payload)
		if i >= 0 {
			n = i + 2
		}
		_, _ = w.Write(payload[:n])
		payload = payload[n:]
		if f != nil {
			f.Flush()
		}
	}
}

// BaseURL is what a user configures as baseUrl for this vendor: the server
// address plus the vendor's base path (vendor.yaml basePath).
func (s *Server) BaseURL() string { return s.URL + s.Profile.BasePath }

// ConfigYAML is a bsai config snippet that points provider "vendor" at
// the replay server with the test key.
func (s *Server) ConfigYAML(model string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "bsai:\n  ai:\n    default: vendor\n    providers:\n      vendor:\n")
	fmt.Fprintf(&b, "        type: %s\n        baseUrl: %q\n        apiKey: %q\n        model: %q\n", s.Profile.Type, s.BaseURL(), Key, model)
	for k, v := range s.Profile.Config {
		fmt.Fprintf(&b, "        %s: %s\n", k, v)
	}
	return b.String()
}
