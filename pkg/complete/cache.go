package complete

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"time"

	"github.com/bsai-dev/bsai/pkg/cachefile"
)

// Cache keeps what completion had to ask a server for (MCP tool lists,
// /models) on disk, so the next TAB answers without spawning or calling
// anything. Entries expire after TTL; a broken file is a miss.
type Cache struct {
	// Dir is the folder (usually <user cache dir>/bsai/complete); empty
	// disables the cache.
	Dir string
	TTL time.Duration
	Now func() time.Time
}

// DefaultTTL is how long a cached tool or model list is used.
const DefaultTTL = time.Hour

// maxEntry bounds what reading one cached completion may take: a
// completion is kilobytes, so anything near this is not one of ours.
const maxEntry = 64 << 20

type entry struct {
	Key     string          `json:"key"`
	Written time.Time       `json:"written"`
	Value   json.RawMessage `json:"value"`
}

func (c *Cache) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:12])+".json")
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Get fills v from a fresh entry for key.
func (c *Cache) Get(key string, v any) bool {
	if c == nil || c.Dir == "" {
		return false
	}
	b, err := cachefile.Read(c.path(key), maxEntry)
	if err != nil {
		return false
	}
	var e entry
	if json.Unmarshal(b, &e) != nil || e.Key != key {
		return false
	}
	ttl := c.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if age := c.now().Sub(e.Written); age < 0 || age > ttl {
		return false
	}
	return json.Unmarshal(e.Value, v) == nil
}

// Put stores v under key; failing to cache is not an error.
func (c *Cache) Put(key string, v any) {
	if c == nil || c.Dir == "" {
		return
	}
	val, err := json.Marshal(v)
	if err != nil {
		return
	}
	b, err := json.Marshal(entry{Key: key, Written: c.now(), Value: val})
	if err != nil {
		return
	}
	_ = cachefile.WriteAtomic(c.path(key), b) // a completion cache that cannot be written only costs time
}
