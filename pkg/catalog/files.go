package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/boundedio"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// Annotations Backstage sets on every entity it reads from a location.
const (
	AnnotationManagedByLocation       = "backstage.io/managed-by-location"
	AnnotationManagedByOriginLocation = "backstage.io/managed-by-origin-location"
)

// Problem is something wrong with the catalog files that did not stop the
// load: a bad document, a conflict, an unreachable Location target.
type Problem struct {
	// Level is "warning" (something was skipped) or "info" (a note).
	Level string `json:"level"`
	File  string `json:"file,omitempty"`
	// Document is the 1-based index of the YAML document in File.
	Document int    `json:"document,omitempty"`
	Ref      string `json:"ref,omitempty"`
	Message  string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Document > 0 {
			fmt.Fprintf(&b, " (document %d)", p.Document)
		}
		b.WriteString(": ")
	}
	if p.Ref != "" {
		b.WriteString(p.Ref + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// LoadResult is what reading catalog files produced.
type LoadResult struct {
	// Entities are valid, de-duplicated, with relations computed.
	Entities []Entity
	Problems []Problem
	// Files lists every file read, in order.
	Files []string
}

// FilesSource reads catalog-info YAML from files, folders and globs, and
// follows Location entities. It loads once and then serves from memory.
type FilesSource struct {
	Paths []string
	// Options caps what the load reads (zero value: the defaults).
	Options LoadOptions
	// Snapshot, when set, keeps the load on disk and reuses it while the
	// files are unchanged (snapshot.go); nil parses every time.
	Snapshot *SnapshotOptions

	once   sync.Once
	result *LoadResult
	err    error
	// graph is the graph of a snapshotted load: a hit's decodes entities
	// as they are used, and full fills result.Entities from it when a
	// caller wants them all.
	graph *Graph
	full  sync.Once
	// built is the graph of a parsed load (Graph).
	built     *Graph
	buildOnce sync.Once
}

// NewFilesSource returns a source over paths (files, folders or globs).
func NewFilesSource(paths ...string) *FilesSource { return &FilesSource{Paths: paths} }

func (s *FilesSource) load(ctx context.Context) {
	s.once.Do(func() {
		if s.Snapshot == nil || s.Snapshot.Dir == "" {
			s.result, s.err = LoadFilesWith(ctx, s.Paths, s.Options)
			return
		}
		s.result, s.graph, s.err = loadSnapshotted(ctx, s.Paths, s.Options, s.Snapshot)
	})
}

// Load reads everything once; later calls return the same result.
func (s *FilesSource) Load(ctx context.Context) (*LoadResult, error) {
	s.load(ctx)
	if s.graph != nil && s.graph.lazy != nil {
		s.full.Do(func() { s.result.Entities = s.graph.snapshotEntities() })
	}
	return s.result, s.err
}

// Graph is the graph of every entity: from a snapshot, without decoding
// the entities no one asks for.
func (s *FilesSource) Graph(ctx context.Context) (*Graph, error) {
	s.load(ctx)
	if s.err != nil {
		return nil, s.err
	}
	if s.graph != nil {
		return s.graph, nil
	}
	s.buildOnce.Do(func() { s.built = NewGraph(s.result.Entities) })
	return s.built, nil
}

// Problems returns what the load reported (nil before Load).
func (s *FilesSource) Problems() []Problem {
	if s.result == nil {
		return nil
	}
	return s.result.Problems
}

// Entities returns the entities matching q.Filter. Fields is ignored: the
// entities are in memory already.
func (s *FilesSource) Entities(ctx context.Context, q Query) ([]Entity, error) {
	res, err := s.Load(ctx)
	if err != nil {
		return nil, err
	}
	if len(q.Filter) == 0 {
		return res.Entities, nil
	}
	var out []Entity
	for i := range res.Entities {
		if MatchFilter(&res.Entities[i], q.Filter) {
			out = append(out, res.Entities[i])
		}
	}
	return out, nil
}

// Entity returns one entity by ref.
func (s *FilesSource) Entity(ctx context.Context, ref Ref) (*Entity, error) {
	g, err := s.Graph(ctx)
	if err != nil {
		return nil, err
	}
	want := ref.String()
	if e, ok := g.Get(want); ok {
		c := *e
		return &c, nil
	}
	return nil, errs.NotFound("entity %s not found in the catalog files", want)
}

// LoadOptions caps what a load reads. Catalog files are untrusted input
// (written by hundreds of people): every file and placeholder target must
// be a regular file under its cap.
type LoadOptions struct {
	// FileLimit caps each catalog file (zero: boundedio.Catalog()).
	FileLimit boundedio.Limit
	// PlaceholderLimit caps each $text/$json/$yaml target (zero:
	// boundedio.Input()).
	PlaceholderLimit boundedio.Limit
}

func (o LoadOptions) withDefaults() LoadOptions {
	if o.FileLimit.Bytes <= 0 {
		o.FileLimit = boundedio.Catalog()
	}
	if o.PlaceholderLimit.Bytes <= 0 {
		o.PlaceholderLimit = boundedio.Input()
	}
	return o
}

// LoadFiles is LoadFilesWith with the default caps.
func LoadFiles(ctx context.Context, paths []string) (*LoadResult, error) {
	return LoadFilesWith(ctx, paths, LoadOptions{})
}

// LoadFilesWith reads paths (files, folders: every .yaml/.yml below, or
// globs with * ? [..] and **), follows Location entities of type file,
// validates every document, drops conflicts and computes relations. It
// fails only when no root path matches any file or ctx is cancelled;
// everything else (a file over its cap, a FIFO, a bad document) becomes a
// Problem.
func LoadFilesWith(ctx context.Context, paths []string, opts LoadOptions) (*LoadResult, error) {
	return loadFiles(ctx, paths, opts, nil)
}

// loadFiles is LoadFilesWith recording into rec (nil: nothing recorded)
// what it asked the file system, for the snapshot.
func loadFiles(ctx context.Context, paths []string, opts LoadOptions, rec *probes) (*LoadResult, error) {
	l := &loader{ctx: ctx, opts: opts.withDefaults(), seen: map[string]bool{}, refs: map[string]origin{}, res: &LoadResult{}, rec: rec}
	l.placeholders = newPlaceholderReader(l.opts.PlaceholderLimit)
	l.placeholders.rec = rec
	var wave []pending
	var missing []string
	for _, p := range paths {
		files, outside, err := expandRoot(p)
		l.rec.add(probe{kind: probeRoot, a: p}, expansionAnswer(files, outside, err))
		if err != nil {
			return nil, err
		}
		base := rootBase(p)
		if outside != "" {
			l.problem(Problem{File: outside, Message: "skipped: a link to a file outside " + base})
		}
		if len(files) == 0 {
			missing = append(missing, p)
			l.problem(Problem{File: p, Message: "catalog path matches no files"})
			continue
		}
		for _, f := range files {
			wave = append(wave, pending{path: f, origin: f, base: base})
		}
	}
	if len(wave) == 0 {
		return nil, errs.Config("catalog path %s matches no files", strings.Join(missing, ", ")).
			WithHint("check --catalog or bsai.catalog.files; folders are searched for *.yaml and *.yml")
	}
	for len(wave) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		wave = l.readWave(wave)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(l.res.Files) == 0 {
		// Not one file could be read (each is a FIFO, a device, over the
		// cap, unreadable): an error, not an empty catalog with warnings.
		var msgs []string
		for _, p := range l.res.Problems {
			msgs = append(msgs, p.String())
		}
		return nil, errs.Config("cannot read the catalog: %s", strings.Join(msgs, "; ")).
			WithHint("point --catalog or bsai.catalog.files at regular YAML files; caps are set by %s", l.opts.FileLimit.Setting)
	}
	for _, p := range ComputeRelations(l.res.Entities) {
		l.res.Problems = append(l.res.Problems, Problem{Level: "warning", File: l.refs[p.Ref].file,
			Document: l.refs[p.Ref].doc, Ref: p.Ref, Message: fmt.Sprintf("spec.%s %q: %v", p.Field, p.Value, p.Err)})
	}
	return l.res, nil
}

// expandRoot expands a path the user gave. Files found by walking a
// folder or a glob must really be inside it: a symlink in the tree
// pointing out of it (evil.yaml -> ~/.kube/config) is the tree's author's
// choice, not the user's, and is skipped (named in outside).
func expandRoot(p string) (files []string, outside string, err error) {
	files, w, err := expand(p)
	if err != nil {
		return nil, "", err
	}
	if len(files) > 1 || (len(files) == 1 && files[0] != p) {
		files, outside = confined(files, rootBase(p), w)
	}
	return files, outside, nil
}

// expandTarget expands a Location target, keeping only files inside base.
func expandTarget(p, base string) (files []string, outside string, err error) {
	files, w, err := expand(p)
	files, outside = confined(files, base, w)
	return files, outside, err
}

// pending is a file to read; base is the folder of the path the user gave
// (the root location), which Location targets may not leave.
type pending struct{ path, origin, base string }

type origin struct {
	file string
	doc  int
}

type loader struct {
	ctx          context.Context
	opts         LoadOptions
	placeholders *placeholderReader
	seen         map[string]bool
	refs         map[string]origin
	res          *LoadResult
	rec          *probes
}

// chunk is one YAML document of one file, decoded by a worker.
type chunk struct {
	file, origin, base       string
	location, originLocation string // annotation values
	doc                      int
	data                     []byte
	entity                   Entity
	empty                    bool
	err                      error
	// Filled by the worker too for a decoded entity: validation failures
	// (sorted) or, when valid, its ref. Both are per-document work that
	// used to run on one core after the parallel decode.
	invalid []string
	ref     string
	notes   []string // from resolvePlaceholders
}

// readWave reads a set of files, decodes all their documents in parallel
// (yaml decoding dominates load time), then adds entities in file order and
// returns the files the Locations among them point to. Reading, splitting,
// decoding, validation and placeholders run on all CPUs; only what decides
// duplicates and the order of problems runs in order on one.
func (l *loader) readWave(wave []pending) []pending {
	type file struct {
		abs, origin, base string
		docs              [][]byte
		err               error
	}
	var files []file
	for _, p := range wave {
		abs, err := filepath.Abs(p.path)
		if err != nil {
			abs = p.path
		}
		if l.seen[abs] {
			continue // the same file reached twice is read once
		}
		l.seen[abs] = true
		files = append(files, file{abs: abs, origin: p.origin, base: p.base})
	}
	parallelEach(len(files), 1, func(i int) {
		f := &files[i]
		l.rec.file(f.abs)
		b, err := boundedio.ReadFile(l.ctx, f.abs, l.opts.FileLimit)
		if err != nil {
			f.err = err
			return
		}
		f.docs = splitDocuments(b)
	})
	n := 0
	for _, f := range files {
		n += len(f.docs)
	}
	chunks := make([]chunk, 0, n)
	for _, f := range files {
		if f.err != nil {
			l.problem(Problem{File: f.abs, Message: fmt.Sprintf("cannot read: %v", unwrapPathErr(f.err))})
			continue
		}
		l.res.Files = append(l.res.Files, f.abs)
		loc, originLoc := "file:"+f.abs, "file:"+absOr(f.origin)
		for i, d := range f.docs {
			chunks = append(chunks, chunk{file: f.abs, origin: f.origin, base: f.base, doc: i + 1, data: d,
				location: loc, originLocation: originLoc})
		}
	}
	budget := l.placeholders.left.Load()
	l.placeholders.over.Store(false)
	parallelEach(len(chunks), 16, func(i int) {
		c := &chunks[i]
		c.decode()
		c.check(l.ctx, l.placeholders)
	})
	if l.placeholders.over.Load() {
		// The placeholders' total budget ran out, and which entities got
		// it depended on the workers' timing: decode the wave again in
		// load order, so the first entities get it, on every load (and a
		// snapshot holds what a parse gives). Only a catalog over the
		// budget pays for this.
		l.placeholders.left.Store(budget)
		for i := range chunks {
			c := &chunks[i]
			*c = chunk{file: c.file, origin: c.origin, base: c.base, location: c.location,
				originLocation: c.originLocation, doc: c.doc, data: c.data}
			c.decode()
			c.check(l.ctx, l.placeholders)
		}
	}
	// Size the result once: growing a slice of 100k entities (and the ref
	// map) step by step was a fifth of the load time.
	l.res.Entities = slices.Grow(l.res.Entities, len(chunks))
	if len(l.refs) == 0 {
		l.refs = make(map[string]origin, len(chunks))
	}
	var next []pending
	for k := range chunks {
		c := &chunks[k]
		if c.empty {
			continue
		}
		if c.err != nil {
			l.problem(Problem{File: c.file, Document: c.doc, Message: c.err.Error()})
			continue
		}
		if len(c.invalid) > 0 {
			l.problem(Problem{File: c.file, Document: c.doc, Ref: safeRef(&c.entity),
				Message: "invalid entity skipped: " + strings.Join(c.invalid, "; ")})
			continue
		}
		ref := c.ref
		if prev, dup := l.refs[ref]; dup {
			where := "earlier in the same file"
			if prev.file != c.file {
				where = "in " + prev.file
			}
			l.problem(Problem{File: c.file, Document: c.doc, Ref: ref,
				Message: fmt.Sprintf("conflict: already defined %s (document %d); this one is skipped", where, prev.doc)})
			continue
		}
		for _, note := range c.notes {
			level := "warning"
			if strings.Contains(note, "urls are not fetched") {
				level = "info"
			}
			l.problem(Problem{Level: level, File: c.file, Document: c.doc, Ref: ref, Message: note})
		}
		l.refs[ref] = origin{c.file, c.doc}
		l.res.Entities = append(l.res.Entities, c.entity)
		if c.entity.Kind == "Location" {
			next = append(next, l.locationTargets(&l.res.Entities[len(l.res.Entities)-1], c)...)
		}
	}
	return next
}

// locationTargets resolves a Location's targets relative to its file.
func (l *loader) locationTargets(e *Entity, c *chunk) []pending {
	typ := e.SpecString("type")
	targets := e.SpecStrings("targets")
	if t := e.SpecString("target"); t != "" {
		targets = append([]string{t}, targets...)
	}
	var out []pending
	for _, t := range targets {
		if (typ != "" && typ != "file") || strings.Contains(t, "://") {
			l.res.Problems = append(l.res.Problems, Problem{Level: "info", File: c.file, Document: c.doc,
				Ref: e.Ref().String(), Message: fmt.Sprintf("skipped %s target %s: only file targets are read offline", nonEmpty(typ, "url"), t)})
			continue
		}
		// A Location in a catalog file is untrusted: its targets stay inside
		// the folder of the root path the user gave, or a catalog could make
		// bsai parse (and quote in warnings) any YAML on the machine. The
		// paths the user gives (--catalog, bsai.catalog.files) are not
		// limited.
		p, err := targetPath(t, c.file, c.base)
		if err != nil {
			l.problem(Problem{File: c.file, Document: c.doc, Ref: e.Ref().String(),
				Message: fmt.Sprintf("location target %s refused: %v", t, err)})
			continue
		}
		files, outside, err := expandTarget(p, c.base)
		l.rec.add(probe{kind: probeTarget, a: p, b: c.base}, expansionAnswer(files, outside, err))
		if outside != "" {
			l.problem(Problem{File: c.file, Document: c.doc, Ref: e.Ref().String(),
				Message: fmt.Sprintf("location target %s: %s skipped: %v", t, outside, errOutsideLocation)})
		}
		if err != nil || len(files) == 0 {
			msg := fmt.Sprintf("location target %s matches no files", t)
			if err != nil {
				msg = fmt.Sprintf("location target %s: %v", t, err)
			}
			l.problem(Problem{File: c.file, Document: c.doc, Ref: e.Ref().String(), Message: msg})
			continue
		}
		for _, f := range files {
			out = append(out, pending{path: f, origin: c.origin, base: c.base})
		}
	}
	return out
}

func (l *loader) problem(p Problem) {
	if p.Level == "" {
		p.Level = "warning"
	}
	l.res.Problems = append(l.res.Problems, p)
}

// check validates a decoded entity and, when valid, computes its ref,
// resolves spec placeholders and sets the location annotations. Setting them before the duplicate check
// is safe: a duplicate is dropped whole, and placeholders only touch spec.
func (c *chunk) check(ctx context.Context, ph *placeholderReader) {
	if c.empty || c.err != nil {
		return
	}
	e := &c.entity
	if errsList := ValidateEntity(e); len(errsList) > 0 {
		msgs := make([]string, len(errsList))
		for i, err := range errsList {
			msgs[i] = err.Error()
		}
		sort.Strings(msgs) // labels and annotations come from maps
		c.invalid = msgs
		return
	}
	c.ref = e.Ref().String()
	// Placeholders are resolved even for an entity the duplicate check
	// will drop; that only costs time, as a dropped entity is never seen.
	c.notes = append(EntityWarnings(e), resolvePlaceholders(ctx, e.Spec, c.file, ph)...)
	setDefault(e, AnnotationManagedByLocation, c.location)
	setDefault(e, AnnotationManagedByOriginLocation, c.originLocation)
}

func (c *chunk) decode() {
	scratch := docMapsPool.Get().(*docMaps)
	if m, ok := parseFastInto(c.data, scratch); ok {
		if e, ok := entityFromMap(m); ok {
			scratch.release()
			c.entity = e
			c.entity.Spec = normalizeMap(c.entity.Spec)
			return
		}
	}
	scratch.release()
	// Straight into the struct: going through a yaml.Node first doubles the
	// cost of the dominant step.
	if err := yaml.Unmarshal(c.data, &c.entity); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if strings.Contains(msg, "into catalog.Entity") {
			msg = "not an entity: expected a mapping with apiVersion, kind, metadata"
		} else if _, ok := err.(*yaml.TypeError); ok {
			msg = "invalid entity: " + strings.ReplaceAll(msg, "\n  ", "; ")
		} else {
			msg = "invalid yaml: " + msg
		}
		c.err = errors.New(msg)
		return
	}
	e := &c.entity
	if e.APIVersion == "" && e.Kind == "" && e.Metadata.Name == "" && e.Spec == nil {
		c.empty = !hasContent(c.data)
		if !c.empty {
			c.err = errors.New("not an entity: expected a mapping with apiVersion, kind, metadata")
		}
		return
	}
	e.Spec = normalizeMap(e.Spec)
}

// splitDocuments cuts a YAML stream at "---" lines so documents can be
// decoded in parallel and a broken one does not hide the rest. A "---" at
// column 0 always starts a document (block scalars must be indented). Text
// before the first marker counts only if it holds more than comments.
func splitDocuments(b []byte) [][]byte {
	var docs [][]byte
	start := 0
	for i := 0; i <= len(b); {
		end := bytes.IndexByte(b[i:], '\n')
		lineEnd := len(b)
		if end >= 0 {
			lineEnd = i + end
		}
		line := bytes.TrimRight(b[i:lineEnd], "\r")
		if i > start && isDocStart(line) {
			docs = append(docs, b[start:i])
			start = i
		}
		if end < 0 {
			break
		}
		i = lineEnd + 1
	}
	docs = append(docs, b[start:])
	// A leading chunk of only comments/directives/blank lines (before the
	// first "---") is not a document.
	if len(docs) > 1 && !hasContent(docs[0]) {
		docs = docs[1:]
	}
	return docs
}

func isDocStart(line []byte) bool {
	return bytes.Equal(line, []byte("---")) || bytes.HasPrefix(line, []byte("--- ")) || bytes.HasPrefix(line, []byte("---\t"))
}

func hasContent(b []byte) bool {
	for _, line := range bytes.Split(b, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if bytes.Equal(t, []byte("---")) || bytes.Equal(t, []byte("...")) {
			continue
		}
		if len(t) > 0 && t[0] != '#' && t[0] != '%' {
			return true
		}
	}
	return false
}

// normalizeMap turns yaml's map[any]any (non-string keys) into
// map[string]any so entities always encode as JSON.
func normalizeMap(m map[string]any) map[string]any {
	for k, v := range m {
		m[k] = normalizeValue(v)
	}
	return m
}

func normalizeValue(v any) any {
	switch t := v.(type) {
	case float64:
		// .nan and .inf are YAML but not JSON: one such value made every
		// JSON output of the catalog fail. Backstage stores them as null
		// (JSON.stringify(NaN) is null), and so does bsai.
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil
		}
	case time.Time:
		// yaml.v3 decodes an unquoted date into a time.Time; Backstage (a
		// YAML 1.2 core schema) keeps the text. A date stays as written,
		// a timestamp becomes RFC 3339, and the catalog can be snapshotted
		// (the snapshot holds only what YAML and JSON decode to strings,
		// numbers, lists and maps).
		if t.Location() == time.UTC && t.Equal(t.Truncate(24*time.Hour)) {
			return t.Format(time.DateOnly)
		}
		return t.Format(time.RFC3339Nano)
	case map[string]any:
		return normalizeMap(t)
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = normalizeValue(x)
		}
		return out
	case []any:
		for i := range t {
			t[i] = normalizeValue(t[i])
		}
	}
	return v
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

func setDefault(e *Entity, key, value string) {
	if e.Metadata.Annotations == nil {
		// Room for both location annotations, set one after the other.
		e.Metadata.Annotations = make(map[string]string, 2)
	}
	if _, ok := e.Metadata.Annotations[key]; !ok {
		e.Metadata.Annotations[key] = value
	}
}

// rootBase is the folder a root path stands for: itself for a folder, the
// part before the first wildcard for a glob, else the file's folder.
func rootBase(p string) string {
	if i := strings.IndexAny(p, "*?["); i >= 0 {
		p = filepath.Dir(p[:i] + "x")
	} else if st, err := os.Stat(p); err != nil || !st.IsDir() {
		p = filepath.Dir(p)
	}
	return absOr(p)
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// safeRef is the entity's ref when it has enough to form one.
func safeRef(e *Entity) string {
	if e.Kind == "" || e.Metadata.Name == "" {
		return ""
	}
	return e.Ref().String()
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
