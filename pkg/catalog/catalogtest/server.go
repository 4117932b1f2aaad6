// Package catalogtest is a fake Backstage catalog backend for tests: it
// speaks the real REST shapes (by-query with cursor paging, fields and
// filter; by-name; by-refs; error bodies) on 127.0.0.1, and can fail on
// demand. It also generates synthetic catalogs for benchmarks.
package catalogtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// Server is a running fake catalog.
type Server struct {
	URL string
	srv *httptest.Server

	// Token, when set, must come as "Authorization: Bearer <Token>".
	Token string
	// Fail, when set, is asked before each request (n counts from 1); a
	// non-zero status is returned instead of the real reply.
	Fail func(n int, r *http.Request) int

	mu       sync.Mutex
	entities []map[string]any // JSON form, sorted by ref
	typed    []catalog.Entity // the same, for filtering
	refs     []string
	requests []string
}

// New starts a server over entities (relations are computed when missing,
// uid and etag filled in, as a backend would) and stops it with t.
func New(t testing.TB, entities []catalog.Entity) *Server {
	t.Helper()
	s := &Server{}
	s.SetEntities(entities)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("catalogtest: listen: %v", err)
	}
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s}}
	s.srv.Start()
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// SetEntities replaces the served catalog.
func (s *Server) SetEntities(entities []catalog.Entity) {
	ents := append([]catalog.Entity(nil), entities...)
	hasRelations := false
	for i := range ents {
		if len(ents[i].Relations) > 0 {
			hasRelations = true
			break
		}
	}
	if !hasRelations {
		catalog.ComputeRelations(ents)
	}
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].Ref().String() < ents[j].Ref().String() })
	maps := make([]map[string]any, len(ents))
	refs := make([]string, len(ents))
	for i := range ents {
		e := ents[i]
		refs[i] = e.Ref().String()
		sum := sha256.Sum256([]byte(refs[i]))
		if e.Metadata.UID == "" {
			e.Metadata.UID = hex.EncodeToString(sum[:16])
		}
		if e.Metadata.Etag == "" {
			e.Metadata.Etag = hex.EncodeToString(sum[16:24])
		}
		if e.Metadata.Namespace == "" {
			e.Metadata.Namespace = catalog.DefaultNamespace
		}
		ents[i] = e
		b, _ := json.Marshal(e)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		maps[i] = m
	}
	s.mu.Lock()
	s.entities, s.typed, s.refs = maps, ents, refs
	s.mu.Unlock()
}

// Requests returns the request URIs seen so far (path and query).
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.RequestURI())
	n := len(s.requests)
	s.mu.Unlock()
	if s.Fail != nil {
		if code := s.Fail(n, r); code != 0 {
			writeError(w, code, "InjectedError", fmt.Sprintf("injected failure %d", code))
			return
		}
	}
	if s.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeError(w, http.StatusUnauthorized, "AuthenticationError", "Missing credentials")
		return
	}
	const prefix = "/api/catalog/entities/"
	switch {
	case r.Method == http.MethodGet && r.URL.Path == prefix+"by-query":
		s.byQuery(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, prefix+"by-name/"):
		s.byName(w, strings.TrimPrefix(r.URL.Path, prefix+"by-name/"))
	case r.Method == http.MethodPost && r.URL.Path == prefix+"by-refs":
		s.byRefs(w, r)
	default:
		writeError(w, http.StatusNotFound, "NotFoundError", "Not found")
	}
}

// cursor is the fake's opaque page token. Like Backstage's, it carries the
// filter (so later pages need not repeat it) but not the fields.
type cursor struct {
	Filter []string `json:"filter"`
	Offset int      `json:"offset"`
}

func (s *Server) byQuery(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 20 // Backstage's default page size
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "InputError", "Invalid limit")
			return
		}
		limit = n
	}
	filters := q["filter"]
	offset := 0
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		var cur cursor
		if err != nil || json.Unmarshal(b, &cur) != nil {
			writeError(w, http.StatusBadRequest, "InputError", "Malformed cursor")
			return
		}
		filters, offset = cur.Filter, cur.Offset
	}
	fields := splitFields(q["fields"])
	s.mu.Lock()
	var matched []map[string]any
	for i, e := range s.entities {
		if matchAny(&s.typed[i], filters) {
			matched = append(matched, e)
		}
	}
	s.mu.Unlock()
	end := min(offset+limit, len(matched))
	if offset > end {
		offset = end
	}
	items := make([]map[string]any, 0, end-offset)
	for _, e := range matched[offset:end] {
		items = append(items, project(e, fields))
	}
	pageInfo := map[string]any{}
	if end < len(matched) {
		pageInfo["nextCursor"] = encodeCursor(cursor{Filter: filters, Offset: end})
	}
	if offset > 0 {
		pageInfo["prevCursor"] = encodeCursor(cursor{Filter: filters, Offset: max(0, offset-limit)})
	}
	writeJSON(w, map[string]any{"items": items, "totalItems": len(matched), "pageInfo": pageInfo})
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) byName(w http.ResponseWriter, rest string) {
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		writeError(w, http.StatusNotFound, "NotFoundError", "Not found")
		return
	}
	for i := range parts {
		parts[i], _ = url.PathUnescape(parts[i])
	}
	ref := strings.ToLower(parts[0] + ":" + parts[1] + "/" + parts[2])
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.refs {
		if r == ref {
			writeJSON(w, s.entities[i])
			return
		}
	}
	writeError(w, http.StatusNotFound, "NotFoundError",
		fmt.Sprintf("No entity named '%s' found, with kind '%s' in namespace '%s'", parts[2], parts[0], parts[1]))
}

func (s *Server) byRefs(w http.ResponseWriter, r *http.Request) {
	var body struct {
		EntityRefs []string `json:"entityRefs"`
		Fields     []string `json:"fields"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.EntityRefs == nil {
		writeError(w, http.StatusBadRequest, "InputError", "Malformed request body")
		return
	}
	fields := splitFields(append(body.Fields, r.URL.Query()["fields"]...))
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := make(map[string]int, len(s.refs))
	for i, ref := range s.refs {
		idx[ref] = i
	}
	items := make([]any, len(body.EntityRefs))
	for i, ref := range body.EntityRefs {
		if j, ok := idx[strings.ToLower(ref)]; ok {
			items[i] = project(s.entities[j], fields)
		}
	}
	writeJSON(w, map[string]any{"items": items})
}

func splitFields(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// project keeps only the given dot paths of an entity (all when none).
func project(e map[string]any, fields []string) map[string]any {
	if len(fields) == 0 {
		return e
	}
	out := map[string]any{}
	for _, f := range fields {
		parts := strings.Split(f, ".")
		var src any = e
		dst := out
		for i, p := range parts {
			m, ok := src.(map[string]any)
			if !ok {
				break
			}
			v, ok := m[p]
			if !ok {
				break
			}
			if i == len(parts)-1 {
				dst[p] = v
				break
			}
			next, ok := dst[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				dst[p] = next
			}
			dst, src = next, v
		}
	}
	return out
}

// matchAny applies Backstage filter semantics: each filter parameter is
// an AND of comma-separated key=value pairs; several parameters are ORed.
func matchAny(e *catalog.Entity, filters []string) bool {
	if len(filters) == 0 {
		return true
	}
	for _, f := range filters {
		m, err := catalog.ParseFilter(f)
		if err != nil {
			continue
		}
		if catalog.MatchFilter(e, m) {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// writeError uses Backstage's error body shape.
func writeError(w http.ResponseWriter, code int, name, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error":    map[string]any{"name": name, "message": msg},
		"request":  map[string]any{"method": "", "url": ""},
		"response": map[string]any{"statusCode": code},
	})
}
