package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/bsai-dev/bsai/pkg/cachefile"
)

// DefaultCacheTTL is how long a backstage snapshot is reused.
const DefaultCacheTTL = 5 * time.Minute

// snapshotVersion changes when the file layout changes; older files are
// ignored.
const snapshotVersion = 1

type snapshot struct {
	Version   int       `json:"version"`
	Source    string    `json:"source"`
	FetchedAt time.Time `json:"fetchedAt"`
	Entities  []Entity  `json:"entities"`
}

// CachedSource keeps a snapshot of the whole catalog on disk so repeated
// commands on a big catalog don't re-download it. Only full listings are
// written; filtered queries are answered from a fresh snapshot when there
// is one, and queries asking for partial fields always go to the source.
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

	mem []Entity
}

// CachePath is the snapshot file for a source under dir (usually
// os.UserCacheDir()): bsai/catalog/<hash>.json. key should identify the
// source and credentials (e.g. URL plus a token fingerprint), so a
// different token never sees another token's snapshot; the key itself is
// only hashed, never stored.
func CachePath(dir, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, "bsai", "catalog", hex.EncodeToString(sum[:12])+".json")
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

// readSnapshot reads this source's snapshot file; a missing or corrupt
// one, or one of another source or format version, is no snapshot.
func (c *CachedSource) readSnapshot() (snapshot, bool) {
	var s snapshot
	b, err := os.ReadFile(c.Path)
	if err != nil {
		return s, false
	}
	if err := json.Unmarshal(b, &s); err != nil || s.Version != snapshotVersion || s.Source != c.Label {
		return s, false
	}
	return s, true
}

// fresh returns the snapshot's entities when it exists, parses, belongs to
// this source and is younger than the TTL. A corrupt file is ignored.
func (c *CachedSource) fresh() ([]Entity, bool) {
	if c.mem != nil {
		return c.mem, true
	}
	if c.Refresh || c.Path == "" {
		return nil, false
	}
	s, ok := c.readSnapshot()
	if !ok {
		return nil, false
	}
	age := c.now().Sub(s.FetchedAt)
	if age < 0 || age > c.ttl() {
		return nil, false
	}
	c.mem = s.Entities
	if c.mem == nil {
		c.mem = []Entity{}
	}
	return c.mem, true
}

// Snapshot returns the entities of the last snapshot of this source however
// old it is, without asking the source. Shell completion uses it: a stale
// list of refs is fine for a TAB, a network round trip is not.
func (c *CachedSource) Snapshot() ([]Entity, bool) {
	if c.mem != nil {
		return c.mem, true
	}
	if c.Path == "" {
		return nil, false
	}
	s, ok := c.readSnapshot()
	if !ok {
		return nil, false
	}
	return s.Entities, true
}

// Entities serves from the snapshot when possible.
func (c *CachedSource) Entities(ctx context.Context, q Query) ([]Entity, error) {
	if len(q.Fields) > 0 {
		return c.Source.Entities(ctx, q)
	}
	if ents, ok := c.fresh(); ok {
		return filterEntities(ents, q.Filter), nil
	}
	if len(q.Filter) > 0 {
		return c.Source.Entities(ctx, q)
	}
	ents, err := c.Source.Entities(ctx, Query{})
	if err != nil {
		return nil, err
	}
	c.mem = ents
	c.write(ents)
	return ents, nil
}

// Entity looks in a fresh snapshot first.
func (c *CachedSource) Entity(ctx context.Context, ref Ref) (*Entity, error) {
	if ents, ok := c.fresh(); ok {
		want := ref.String()
		for i := range ents {
			if ents[i].Ref().String() == want {
				e := ents[i]
				return &e, nil
			}
		}
	}
	return c.Source.Entity(ctx, ref)
}

// write stores the snapshot atomically; failing to cache is not an error.
func (c *CachedSource) write(ents []Entity) {
	if c.Path == "" {
		return
	}
	b, err := json.Marshal(snapshot{Version: snapshotVersion, Source: c.Label, FetchedAt: c.now(), Entities: ents})
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
