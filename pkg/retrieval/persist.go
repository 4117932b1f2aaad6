package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bsai-dev/bsai/pkg/buildinfo"
	"github.com/bsai-dev/bsai/pkg/cachefile"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/gcgoal"
)

// The index cache: Build costs about a second at 100k entities, and every
// `bsai ask` is a new process. The index is saved beside the catalog cache
// in one file per catalog snapshot, named by the snapshot's fingerprint
// (every entity's content, in graph order, plus the file format and bsai's
// build), so any change to the catalog, the format or the binary is a miss
// and a rebuild. The file has a checksum and repeats the fingerprint
// (format.go): a truncated, corrupt or foreign file is ignored, never
// trusted.

// DefaultCacheMin is the MinEntities the command uses.
const DefaultCacheMin = 1000

// keepIndexFiles bounds the cache directory: the most recently used files
// are kept, older ones deleted after each save.
const keepIndexFiles = 4

const indexExt = ".idx"

// CacheOptions says where and whether the index is cached on disk.
type CacheOptions struct {
	// Dir holds the index files (the command passes
	// os.UserCacheDir()/bsai/index); "" disables the disk cache.
	Dir string
	// MinEntities: smaller catalogs are not cached, because building
	// their index is as fast as reading it (about 3 ms at 1000 entities).
	MinEntities int
	// Refresh rebuilds without reading the cache (and saves the result).
	Refresh bool
	// Verbosef, when set, receives what happened to the cache (-v).
	Verbosef func(format string, args ...any)
	// SaveLater, when set, is given the save of a freshly built index
	// instead of ForCached running it: the command runs it in the
	// background and waits for it on exit, so a cache miss answers as soon
	// as the index is built, not after it is hashed and written. save
	// returns the -v note to print (from the caller's goroutine: the
	// streams are not safe to share).
	SaveLater func(save func() (note string))
}

func (o CacheOptions) note(format string, args ...any) {
	if o.Verbosef != nil {
		o.Verbosef(format, args...)
	}
}

// ForCached is For with the disk cache: the process-wide index of g if
// there is one, else the cached index of this catalog snapshot, else a
// fresh Build that is then saved. Failing to read or write the cache is
// never an error: the index is rebuilt and the reason noted.
//
// The file is named by the catalog's refs (CachePath) and holds the full
// Fingerprint, which is computed while the file decodes (a hit; a stale
// file's decode stops as soon as the keys disagree) or, on a miss, in the
// save after the build (which SaveLater moves past the answer).
func ForCached(g *catalog.Graph, o CacheOptions) *Index {
	if o.Dir == "" || g.Len() < o.MinEntities {
		return For(g)
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		// No cache to read or write: skip the fingerprint too, so this is
		// exactly the uncached path.
		o.note("index: not cached: %v", err)
		return For(g)
	}
	shared.Lock()
	defer shared.Unlock()
	if shared.g == g && shared.ix != nil {
		return shared.ix
	}
	start := time.Now()
	path := CachePath(o.Dir, g)
	// The fingerprint starts once there is a file to check it against (it
	// then runs while the file decodes); on a miss it runs in the save,
	// after the build, so it never competes with Build for the CPUs.
	var fp string
	var fpDone atomic.Bool
	var fpOnce sync.Once
	done := make(chan struct{})
	startFP := func() {
		fpOnce.Do(func() {
			go func() {
				fp = Fingerprint(g)
				fpDone.Store(true)
				close(done)
			}()
		})
	}
	key := func() string { startFP(); <-done; return fp }
	if !o.Refresh {
		// Loading allocates the file (~20 MB at 100k entities, all of it
		// kept) next to a catalog many times that size: a collection it
		// triggers at the default GOGC re-marks the whole catalog, which
		// costs more than the load itself. The goal is raised for the load
		// only, so the heap grows by at most what the load allocates (Build,
		// which makes mostly garbage, keeps the default).
		release := gcgoal.Hold(400) // GOGC=off or higher already: kept
		readStart := time.Now()
		ix, stored, err := readIndex(path, g, startFP, func(stored string) bool { return fpDone.Load() && stored != fp })
		read := time.Since(readStart)
		if err == nil && stored != key() {
			err = errOtherSnapshot
		}
		release()
		if err == nil {
			// The file's part apart from the wait for the fingerprint (a
			// digest of the catalog), which a catalog snapshot may carry.
			o.note("index: loaded %d entities from %s in %s (the file in %s)", ix.Len(), path,
				time.Since(start).Round(time.Millisecond), read.Round(100*time.Microsecond))
			now := time.Now()
			_ = os.Chtimes(path, now, now) // most recently used survives pruning
			shared.g, shared.ix = g, ix
			return ix
		}
		if !os.IsNotExist(err) {
			o.note("index: ignoring cache %s (%v); rebuilding", path, err)
		}
	}
	ix := Build(g)
	built := time.Since(start)
	save := func() string {
		if err := ix.Save(path, key()); err != nil {
			return fmt.Sprintf("index: not cached: %v", err)
		}
		cachefile.Prune(o.Dir, indexExt, path, keepIndexFiles)
		return fmt.Sprintf("index: built %d entities in %s and cached them in %s", ix.Len(), built.Round(time.Millisecond), path)
	}
	if o.SaveLater != nil {
		o.SaveLater(save)
	} else {
		o.note("%s", save())
	}
	shared.g, shared.ix = g, ix
	return ix
}

var errOtherSnapshot = errors.New("index of another catalog snapshot or build")

// CachePath is the index file of g under dir: one file per set of refs
// (in graph order), place the catalog was read from (the first entity's
// location annotation) and bsai build, so editing a catalog replaces its
// file instead of adding one, while two checkouts of one catalog (same
// refs, other paths) or two builds used in turn keep a file each instead
// of rebuilding over each other on every ask. The content itself is
// checked by the Fingerprint inside.
func CachePath(dir string, g *catalog.Graph) string {
	loc := ""
	if g.Len() > 0 {
		loc = g.At(0).Metadata.Annotations[catalog.AnnotationManagedByLocation]
	}
	sum := sha256.Sum256([]byte(g.RefsDigest() + "\n" + loc + "\n" + buildinfo.BinaryID()))
	return filepath.Join(dir, hexKey(sum[:16])+indexExt)
}

// Save writes the index to path atomically (a temp file renamed into
// place), under key (see Fingerprint).
func (ix *Index) Save(path, key string) error {
	b, err := encodeIndex(ix, key)
	if err == nil {
		err = cachefile.WriteAtomic(path, b)
	}
	if err != nil {
		return fmt.Errorf("write index cache: %w", err)
	}
	return nil
}

// LoadIndex reads an index saved for g under key. Any mismatch (another
// key, format or size of catalog) or damage is an error; the caller
// rebuilds.
func LoadIndex(path string, g *catalog.Graph, key string) (*Index, error) {
	ix, stored, err := readIndex(path, g, func() {}, func(stored string) bool { return stored != key })
	if err == nil && stored != key {
		err = errOtherSnapshot
	}
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// readIndex reads and decodes path, returning the key it was saved under;
// opened runs once the file is read; stop, asked between sections with
// that key, abandons the decode (the key is known not to match).
func readIndex(path string, g *catalog.Graph, opened func(), stop func(stored string) bool) (ix *Index, stored string, err error) {
	s, verify, err := readIndexFile(path)
	if err != nil {
		return nil, "", err
	}
	opened()
	// A damaged file fails its checksum, whatever the decoder made of it.
	defer func() {
		if cerr := verify(); cerr != nil {
			ix, err = nil, cerr
		}
	}()
	// The decoder checks every bound; this is the last line of defence so a
	// damaged cache can never take the command down.
	defer func() {
		if r := recover(); r != nil {
			ix, err = nil, errCorrupt
		}
	}()
	return decodeIndex(s, g, stop)
}

// hexKey is the file-name form of a digest.
func hexKey(sum []byte) string { return hex.EncodeToString(sum) }
