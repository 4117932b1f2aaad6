package retrieval

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/bsai-dev/bsai/pkg/cachefile"
	"github.com/bsai-dev/bsai/pkg/catalog"
)

// Embedder is the part of llm.Provider that hybrid retrieval needs.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// EmbedOptions configure WithEmbeddings.
type EmbedOptions struct {
	// CacheDir holds one vector file per model; "" = no disk cache.
	// The command passes os.UserCacheDir()/bsai/embeddings.
	CacheDir string
	// Model names the embedding model, so vectors of different models never
	// mix in the cache.
	Model string
	// Batch is how many texts go in one Embed call (default 64).
	Batch int
}

// rrfK is the usual reciprocal-rank-fusion constant: ranks matter, raw
// scores of the two rankers (BM25 and cosine) are not comparable.
const rrfK = 60

// maxEmbedCache bounds what reading the embeddings cache may take (100k
// entities of 3072 float32s are 1.2 GB).
const maxEmbedCache = 2 << 30

type vectors struct {
	emb  Embedder
	vecs [][]float32 // unit length, per document
	mu   sync.Mutex
	err  error // last query embedding error
}

// EntityText is the text embedded for an entity: its card without the
// relation lists (those are walked on the graph, not matched by meaning).
func EntityText(e *catalog.Entity) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.Kind, e.Metadata.Name)
	if e.Metadata.Title != "" {
		fmt.Fprintf(&b, " (%s)", e.Metadata.Title)
	}
	if d := e.Metadata.Description; d != "" {
		b.WriteString(": " + d)
	}
	for _, k := range []string{"type", "lifecycle", "owner", "system", "domain"} {
		if v := e.SpecString(k); v != "" {
			fmt.Fprintf(&b, "; %s %s", k, v)
		}
	}
	if len(e.Metadata.Tags) > 0 {
		b.WriteString("; tags " + strings.Join(e.Metadata.Tags, ", "))
	}
	return b.String()
}

func contentHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

// WithEmbeddings embeds every entity (reusing vectors cached on disk by
// content hash, so only new or changed entities cost a call) and turns on
// hybrid ranking. On error the index stays keyword-only.
func (ix *Index) WithEmbeddings(ctx context.Context, emb Embedder, opt EmbedOptions) error {
	if opt.Batch <= 0 {
		opt.Batch = 64
	}
	cache := map[string][]float32{}
	var cacheFile string
	if opt.CacheDir != "" {
		cacheFile = filepath.Join(opt.CacheDir, safeName(opt.Model)+".gob")
		if f, _, err := cachefile.Open(cacheFile, maxEmbedCache); err == nil {
			_ = gob.NewDecoder(f).Decode(&cache) // a corrupt cache is rebuilt
			f.Close()
		}
	}
	ents := ix.entities()
	hashes := make([]string, len(ents))
	var missing []int
	for i, e := range ents {
		hashes[i] = contentHash(EntityText(e))
		if _, ok := cache[hashes[i]]; !ok {
			missing = append(missing, i)
		}
	}
	for start := 0; start < len(missing); start += opt.Batch {
		batch := missing[start:min(start+opt.Batch, len(missing))]
		texts := make([]string, len(batch))
		for j, i := range batch {
			texts[j] = EntityText(ents[i])
		}
		vs, err := emb.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed catalog: %w", err)
		}
		if len(vs) != len(batch) {
			return fmt.Errorf("embed catalog: got %d vectors for %d texts", len(vs), len(batch))
		}
		for j, i := range batch {
			cache[hashes[i]] = vs[j]
		}
	}
	v := &vectors{emb: emb, vecs: make([][]float32, len(ents))}
	for i, h := range hashes {
		v.vecs[i] = unit(cache[h])
	}
	if cacheFile != "" && len(missing) > 0 {
		// Keep only live entries so the file does not grow forever.
		live := make(map[string][]float32, len(hashes))
		for _, h := range hashes {
			live[h] = cache[h]
		}
		if err := writeGob(cacheFile, live); err != nil {
			return fmt.Errorf("write embedding cache: %w", err)
		}
	}
	ix.emb.Store(v)
	return nil
}

// EmbeddingErr is the last error from embedding a question (nil if none).
func (ix *Index) EmbeddingErr() error {
	emb := ix.emb.Load()
	if emb == nil {
		return nil
	}
	emb.mu.Lock()
	defer emb.mu.Unlock()
	return emb.err
}

func writeGob(path string, v any) error {
	return cachefile.WriteAtomicFunc(path, func(b *bytes.Buffer) error { return gob.NewEncoder(b).Encode(v) })
}

func safeName(s string) string {
	if s == "" {
		s = "default"
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

func (v *vectors) query(ctx context.Context, q string) ([]float32, bool) {
	vs, err := v.emb.Embed(ctx, []string{q})
	if err == nil && len(vs) != 1 {
		err = fmt.Errorf("embed question: got %d vectors", len(vs))
	}
	v.mu.Lock()
	v.err = err
	v.mu.Unlock()
	if err != nil {
		return nil, false
	}
	return unit(vs[0]), true
}

func unit(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return v
	}
	n := float32(1 / math.Sqrt(s))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x * n
	}
	return out
}

// fuse combines the keyword ranking (cand, best first) and the vector
// ranking by reciprocal rank. Named entities (focus) stay on top: an exact
// name is stronger evidence than any similarity.
func (ix *Index) fuse(emb *vectors, cand []int32, qv []float32, focus []int32, why map[int32]string) map[int32]float64 {
	type sim struct {
		d int32
		s float32
	}
	sims := make([]sim, 0, len(emb.vecs))
	for d, v := range emb.vecs {
		if len(v) != len(qv) {
			continue
		}
		var dot float32
		for i := range v {
			dot += v[i] * qv[i]
		}
		sims = append(sims, sim{int32(d), dot})
	}
	sort.Slice(sims, func(i, j int) bool {
		if sims[i].s != sims[j].s {
			return sims[i].s > sims[j].s
		}
		return sims[i].d < sims[j].d
	})
	if len(sims) > len(cand) {
		sims = sims[:len(cand)]
	}
	out := make(map[int32]float64, 2*len(cand))
	for r, d := range cand {
		out[d] += 1.0 / float64(rrfK+r+1)
	}
	for r, s := range sims {
		if _, ok := out[s.d]; !ok {
			why[s.d] = "vector"
		}
		out[s.d] += 1.0 / float64(rrfK+r+1)
	}
	for _, d := range focus {
		out[d] += 1
	}
	return out
}
