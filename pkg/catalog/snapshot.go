package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/buildinfo"
	"github.com/bsai-dev/bsai/pkg/cachefile"
)

// The files snapshot: parsing and validating YAML is most of a command's
// time on a big files catalog (about a second at 100k entities), and every
// command is a new process. A load is saved with the answers it got from
// the file system (probes.go) and reused while asking again gets the same
// answers: the same files under the same paths, each with the same size,
// modification and change time, and inode (probes.go). Anything else (an edit, a new file, a
// symlink pointed elsewhere, another bsai build, other caps) is a miss and
// a fresh parse. The file repeats its key and ends in a checksum: a
// truncated, corrupt or foreign file is ignored, never trusted.

// snapFormat changes whenever the layout or the entity codec changes.
const snapFormat = 9

const (
	snapExt       = ".snap"
	keepSnapshots = 4
	// snapMaxBytes refuses a snapshot file no load could have written.
	snapMaxBytes = 4 << 30
	// snapSettle: files changed this recently are not trusted to show a
	// later change in their modification time (one clock tick, FAT's two
	// seconds), so such a load is not saved.
	snapSettle = 2 * time.Second
)

// DefaultSnapshotMin is the MinEntities the commands use: below it,
// parsing is about as fast as reading a snapshot.
const DefaultSnapshotMin = 1000

// GraphSource is a Source that builds the whole-catalog graph itself,
// cheaper than NewGraph over Entities: a files source read from its
// snapshot decodes entities only as they are used.
type GraphSource interface {
	Graph(ctx context.Context) (*Graph, error)
}

// LoadGraph is the graph of every entity of src.
func LoadGraph(ctx context.Context, src Source) (*Graph, error) {
	if gs, ok := src.(GraphSource); ok {
		return gs.Graph(ctx)
	}
	ents, err := src.Entities(ctx, Query{})
	if err != nil {
		return nil, err
	}
	return NewGraph(ents), nil
}

var snapMagic = []byte("bsai-catalog\x00")

var snapCRC = crc32.MakeTable(crc32.Castagnoli)

// SnapshotOptions say where and whether a files load is snapshotted.
type SnapshotOptions struct {
	// Dir holds the snapshot files ("" disables them); the command passes
	// os.UserCacheDir()/bsai/catalog.
	Dir string
	// MinEntities: smaller loads are not saved (parsing them is as fast).
	MinEntities int
	// Refresh parses without reading a snapshot (and saves the result).
	Refresh bool
	// Verbosef, when set, receives what happened to the snapshot (-v).
	Verbosef func(format string, args ...any)
	// SaveLater, when set, is given the save instead of running it, like
	// retrieval.CacheOptions.SaveLater: the command writes it while the
	// answer is rendered.
	SaveLater func(save func() (note string))
}

func (o *SnapshotOptions) note(format string, args ...any) {
	if o.Verbosef != nil {
		o.Verbosef(format, args...)
	}
}

// snapshotKey names a load: the paths as given, the folder they are
// relative to, the caps, the format and the bsai build.
func snapshotKey(paths []string, opts LoadOptions) string {
	wd, _ := os.Getwd()
	opts = opts.withDefaults()
	return fmt.Sprintf("files %d %s\n%s\n%d %d\n%s", snapFormat, buildinfo.BinaryID(), wd,
		opts.FileLimit.Bytes, opts.PlaceholderLimit.Bytes, strings.Join(paths, "\x00"))
}

func snapshotPath(dir, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, hex.EncodeToString(sum[:12])+snapExt)
}

// loadSnapshotted is FilesSource.Load with a snapshot. A hit returns the
// problems and files of the saved load and its graph, whose entities
// decode on first use (res.Entities is nil until snapshotEntities); a miss
// parses and returns the parsed entities and their graph.
func loadSnapshotted(ctx context.Context, paths []string, opts LoadOptions, o *SnapshotOptions) (*LoadResult, *Graph, error) {
	key := snapshotKey(paths, opts)
	path := snapshotPath(o.Dir, key)
	if !o.Refresh {
		start := time.Now()
		res, g, err := readSnapshot(path, key)
		if err == nil {
			o.note("catalog: %d entities from the snapshot %s in %s", g.Len(), path, time.Since(start).Round(time.Millisecond))
			now := time.Now()
			_ = os.Chtimes(path, now, now) // most recently used survives pruning
			return res, g, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			o.note("catalog: not using the snapshot %s: %v", path, err)
		}
	}
	// The real clock, not an injected one: it is compared with the file
	// system's modification times.
	started := time.Now()
	rec := newProbes()
	res, err := loadFiles(ctx, paths, opts, rec)
	if err != nil {
		return nil, nil, err
	}
	// The command's graph: the save takes its Digest from it, which the
	// index key needs too, so the entities are hashed once.
	g := NewGraph(res.Entities)
	if len(res.Entities) < o.MinEntities {
		return res, g, nil
	}
	save := func() string {
		if settled := started.Add(-snapSettle); rec.newest.After(settled) {
			return fmt.Sprintf("catalog: not snapshotted: files changed within %s of the load", snapSettle)
		}
		b, err := encodeSnapshot(key, res, rec, g)
		if err == nil {
			err = cachefile.WriteAtomic(path, b)
		}
		if err != nil {
			return fmt.Sprintf("catalog: not snapshotted: %v", err)
		}
		cachefile.Prune(o.Dir, snapExt, path, keepSnapshots)
		return fmt.Sprintf("catalog: snapshot of %d entities saved in %s", len(res.Entities), path)
	}
	if o.SaveLater != nil {
		o.SaveLater(save)
	} else {
		o.note("%s", save())
	}
	return res, g, nil
}

func encodeSnapshot(key string, res *LoadResult, rec *probes, g *Graph) ([]byte, error) {
	e := &snapEncoder{b: make([]byte, 0, 1<<16)}
	e.str(key)
	rec.mu.Lock()
	e.uv(uint64(len(rec.got)))
	for p, answer := range rec.got {
		e.b = append(e.b, p.kind)
		e.str(p.a)
		e.str(p.b)
		e.str(answer)
	}
	rec.mu.Unlock()
	e.uv(uint64(len(res.Problems)))
	for _, p := range res.Problems {
		e.str(p.Level)
		e.str(p.File)
		e.uv(uint64(p.Document))
		e.str(p.Ref)
		e.str(p.Message)
	}
	e.strs(res.Files)
	return encodeGraphFile(e.b, g)
}

// readSnapshot returns the load saved at path if it is this key's and
// every probe still gets its recorded answer.
func readSnapshot(path, key string) (*LoadResult, *Graph, error) {
	b, err := readSnapFile(path)
	if err != nil {
		return nil, nil, err
	}
	return decodeSnapshot(b, key, changed)
}

// readSnapFile reads a snapshot file (files or Backstage): a regular file
// under snapMaxBytes (cachefile.Open), its header first, so whatever else
// is at path (a FIFO, a 3 GiB file of zeros) is neither waited on nor read
// whole.
func readSnapFile(path string) ([]byte, error) {
	f, size, err := cachefile.Open(path, snapMaxBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := int64(len(snapMagic) + 12)
	if size < head+4 {
		return nil, errors.New("not a snapshot file")
	}
	b := make([]byte, head, size)
	if _, err := io.ReadFull(f, b); err != nil || string(b[:len(snapMagic)]) != string(snapMagic) ||
		binary.LittleEndian.Uint64(b[len(snapMagic)+4:]) != uint64(size-head-4) {
		return nil, errors.New("not a snapshot file, or a truncated one")
	}
	b = b[:size]
	if _, err := io.ReadFull(f, b[head:]); err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return b, nil
}

// decodeSnapshot decodes a snapshot file's bytes (which it keeps: entity
// strings share them); stale names the first recorded probe whose answer
// changed ("" for none).
func decodeSnapshot(b []byte, key string, stale func(map[probe]string) string) (*LoadResult, *Graph, error) {
	res := &LoadResult{}
	g, err := decodeGraphFile(b, func(d *snapDecoder) error {
		if d.str() != key || d.err != nil {
			return errors.New("snapshot of another catalog or build")
		}
		recorded := map[probe]string{}
		for range d.count(4) {
			p := probe{kind: d.byte(), a: d.str(), b: d.str()}
			recorded[p] = d.str()
		}
		if d.err != nil {
			return d.err
		}
		if what := stale(recorded); what != "" {
			return fmt.Errorf("stale: %s changed", what)
		}
		for range d.count(5) {
			res.Problems = append(res.Problems, Problem{Level: d.str(), File: d.str(), Document: int(d.uv()), Ref: d.str(), Message: d.str()})
		}
		res.Files = d.strs()
		return d.err
	})
	if err != nil {
		return nil, nil, err
	}
	return res, g, nil
}
