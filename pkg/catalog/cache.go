package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"github.com/bsai-dev/bsai/pkg/cachefile"
)

// DefaultCacheTTL is how long a backstage snapshot is reused.
const DefaultCacheTTL = 5 * time.Minute

// CachedSource keeps a snapshot of the whole catalog on disk so repeated
// commands on a big catalog don't re-download it. Only full listings are
// written; filtered queries are answered from a fresh snapshot when there
// is one, and queries asking for partial fields always go to the source.
// The file is the files snapshot's layout (graphfile.go) with the backend's
// URL and fetch time as its head, so a fresh one gives the graph without
// decoding the entities a command does not use.
type CachedSource struct {
	Source Source
	// Path is the snapshot file (see CachePath).
	Path string
	// Label names the source in the snapshot (a URL; never a token).
	Label string
	TTL   time.Duration
	Now   func() time.Time
	// Refresh skips reading the snapshot (but still writes a new one).
	Refresh bool

	mu    sync.Mutex
	graph *Graph   // the catalog, fresh or just fetched
	mem   []Entity // its entities, once asked for
}

// CachePath is the snapshot file for a source under dir (usually
// os.UserCacheDir()): bsai/catalog/<hash>.snap. key should identify the
// source and credentials (e.g. URL plus a token fingerprint), so a
// different token never sees another token's snapshot; the key itself is
// only hashed, never stored.
func CachePath(dir, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, "bsai", "catalog", hex.EncodeToString(sum[:12])+snapExt)
}

// TokenFingerprint is a short one-way digest of a token for cache keys.
func TokenFingerprint(token string) string {
	if token == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("bsai-token:" + token))
	return hex.EncodeToString(sum[:8])
}

func (c *CachedSource) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *CachedSource) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return DefaultCacheTTL
}

// readSnapshot reads this source's snapshot file and when it was
// fetched; a missing or corrupt one, or one of another source or format,
// is no snapshot.
func (c *CachedSource) readSnapshot() (*Graph, time.Time, bool) {
	var fetched time.Time
	b, err := readSnapFile(c.Path)
	if err != nil {
		return nil, fetched, false
	}
	g, err := decodeGraphFile(b, func(d *snapDecoder) error {
		if d.str() != "backstage "+c.Label || d.err != nil {
			return errors.New("snapshot of another source")
		}
		fetched = time.Unix(0, d.sv())
		return d.err
	})
	return g, fetched, err == nil
}

// fresh returns the catalog graph when it was fetched in this process or
// the snapshot belongs to this source and is younger than the TTL.
func (c *CachedSource) fresh() (*Graph, bool) {
	if c.graph != nil {
		return c.graph, true
	}
	if c.Refresh || c.Path == "" {
		return nil, false
	}
	g, fetched, ok := c.readSnapshot()
	if !ok {
		return nil, false
	}
	if age := c.now().Sub(fetched); age < 0 || age > c.ttl() {
		return nil, false
	}
	c.graph = g
	return g, true
}

// entities are the graph's entities as one slice, decoded once.
func (c *CachedSource) entities() []Entity {
	if c.mem == nil {
		if c.graph.lazy != nil {
			c.mem = c.graph.snapshotEntities()
		}
		if c.mem == nil {
			c.mem = []Entity{}
		}
	}
	return c.mem
}

// Snapshot returns the entities of the last snapshot of this source however
// old it is, without asking the source. Shell completion uses it: a stale
// list of refs is fine for a TAB, a network round trip is not.
func (c *CachedSource) Snapshot() ([]Entity, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.graph != nil {
		return c.entities(), true
	}
	if c.Path == "" {
		return nil, false
	}
	g, _, ok := c.readSnapshot()
	if !ok {
		return nil, false
	}
	return g.snapshotEntities(), true
}

// Graph is the catalog's graph: from a fresh snapshot without decoding
// entities nobody asks for, else fetched (and snapshotted).
func (c *CachedSource) Graph(ctx context.Context) (*Graph, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if g, ok := c.fresh(); ok {
		return g, nil
	}
	if err := c.fetch(ctx); err != nil {
		return nil, err
	}
	return c.graph, nil
}

// fetch lists every entity from the source, keeps them and writes the
// snapshot.
func (c *CachedSource) fetch(ctx context.Context) error {
	ents, err := c.Source.Entities(ctx, Query{})
	if err != nil {
		return err
	}
	if ents == nil {
		ents = []Entity{}
	}
	c.mem, c.graph = ents, NewGraph(ents)
	c.write(c.graph)
	return nil
}

// Entities serves from the snapshot when possible.
func (c *CachedSource) Entities(ctx context.Context, q Query) ([]Entity, error) {
	if len(q.Fields) > 0 {
		return c.Source.Entities(ctx, q)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.fresh(); ok {
		return filterEntities(c.entities(), q.Filter), nil
	}
	if len(q.Filter) > 0 {
		return c.Source.Entities(ctx, q)
	}
	if err := c.fetch(ctx); err != nil {
		return nil, err
	}
	return c.mem, nil
}

// Entity looks in a fresh snapshot first.
func (c *CachedSource) Entity(ctx context.Context, ref Ref) (*Entity, error) {
	c.mu.Lock()
	g, ok := c.fresh()
	c.mu.Unlock()
	if ok {
		if e, found := g.Get(ref.String()); found {
			cp := *e
			return &cp, nil
		}
	}
	return c.Source.Entity(ctx, ref)
}

// write stores the snapshot atomically; failing to cache is not an error.
func (c *CachedSource) write(g *Graph) {
	if c.Path == "" {
		return
	}
	head := binary.AppendVarint((&snapEncoder{}).strBytes("backstage "+c.Label), c.now().UnixNano())
	b, err := encodeGraphFile(head, g)
	if err != nil {
		return
	}
	_ = cachefile.WriteAtomic(c.Path, b) // a snapshot that cannot be written is only a slower next run
}

func filterEntities(ents []Entity, f map[string]string) []Entity {
	if len(f) == 0 {
		return ents
	}
	var out []Entity
	for i := range ents {
		if MatchFilter(&ents[i], f) {
			out = append(out, ents[i])
		}
	}
	return out
}
