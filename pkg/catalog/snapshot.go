package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"
	"unsafe"

	"github.com/bsai-dev/bsai/pkg/buildinfo"
)

// The files snapshot: parsing and validating YAML is most of a command's
// time on a big files catalog (about a second at 100k entities), and every
// command is a new process. A load is saved with the answers it got from
// the file system (probes.go) and reused while asking again gets the same
// answers: the same files under the same paths, each with the same size,
// modification time and inode. Anything else (an edit, a new file, a
// symlink pointed elsewhere, another bsai build, other caps) is a miss and
// a fresh parse. The file repeats its key and ends in a checksum: a
// truncated, corrupt or foreign file is ignored, never trusted.

// snapFormat changes whenever the layout or the entity codec changes.
const snapFormat = 1

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

// SourceDigest is src's Digest when it has one (a files source read from
// its snapshot), else "".
func SourceDigest(src Source) string {
	if d, ok := src.(interface{ Digest() string }); ok {
		return d.Digest()
	}
	return ""
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

// loadSnapshotted is FilesSource.Load with a snapshot: it returns the
// result and, when it came from a snapshot, the graph Digest stored in it.
func loadSnapshotted(ctx context.Context, paths []string, opts LoadOptions, o *SnapshotOptions) (*LoadResult, string, error) {
	key := snapshotKey(paths, opts)
	path := snapshotPath(o.Dir, key)
	if !o.Refresh {
		start := time.Now()
		res, digest, err := readSnapshot(path, key)
		if err == nil {
			o.note("catalog: %d entities from the snapshot %s in %s", len(res.Entities), path, time.Since(start).Round(time.Millisecond))
			now := time.Now()
			_ = os.Chtimes(path, now, now) // most recently used survives pruning
			return res, digest, nil
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
	if err != nil || len(res.Entities) < o.MinEntities {
		return res, "", err
	}
	save := func() string {
		if settled := started.Add(-snapSettle); rec.newest.After(settled) {
			return fmt.Sprintf("catalog: not snapshotted: files changed within %s of the load", snapSettle)
		}
		b, err := encodeSnapshot(key, res, rec)
		if err == nil {
			err = writeAtomic(o.Dir, path, b)
		}
		if err != nil {
			return fmt.Sprintf("catalog: not snapshotted: %v", err)
		}
		pruneSnapshots(o.Dir, path)
		return fmt.Sprintf("catalog: snapshot of %d entities saved in %s", len(res.Entities), path)
	}
	if o.SaveLater != nil {
		o.SaveLater(save)
	} else {
		o.note("%s", save())
	}
	return res, "", nil
}

func encodeSnapshot(key string, res *LoadResult, rec *probes) ([]byte, error) {
	e := &snapEncoder{b: make([]byte, 0, 1<<20)}
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
	e.str(DigestOf(res.Entities))
	e.uv(uint64(len(res.Problems)))
	for _, p := range res.Problems {
		e.str(p.Level)
		e.str(p.File)
		e.uv(uint64(p.Document))
		e.str(p.Ref)
		e.str(p.Message)
	}
	e.strs(res.Files)
	// Entities are framed by their lengths so they decode in parallel.
	bodies := &snapEncoder{}
	lens := make([]int, len(res.Entities))
	for i := range res.Entities {
		at := len(bodies.b)
		if err := bodies.entity(&res.Entities[i]); err != nil {
			return nil, err
		}
		lens[i] = len(bodies.b) - at
	}
	e.uv(uint64(len(lens)))
	for _, n := range lens {
		e.uv(uint64(n))
	}
	e.b = append(e.b, bodies.b...)

	out := make([]byte, 0, len(snapMagic)+12+len(e.b))
	out = append(out, snapMagic...)
	out = binary.LittleEndian.AppendUint32(out, snapFormat)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(e.b)))
	out = append(out, e.b...)
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(e.b, snapCRC)), nil
}

// readSnapshot returns the load saved at path if it is this key's and
// every probe still gets its recorded answer.
func readSnapshot(path, key string) (*LoadResult, string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, "", err
	}
	if !st.Mode().IsRegular() || st.Size() > snapMaxBytes {
		return nil, "", errors.New("not a snapshot file")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	return decodeSnapshot(b, key, changed)
}

// decodeSnapshot decodes a snapshot file's bytes; stale names the first
// recorded probe whose answer changed ("" for none).
func decodeSnapshot(b []byte, key string, stale func(map[probe]string) string) (*LoadResult, string, error) {
	if len(b) < len(snapMagic)+16 || string(b[:len(snapMagic)]) != string(snapMagic) {
		return nil, "", errors.New("not a snapshot file")
	}
	b = b[len(snapMagic):]
	if v := binary.LittleEndian.Uint32(b); v != snapFormat {
		return nil, "", fmt.Errorf("snapshot format %d, want %d", v, snapFormat)
	}
	n := binary.LittleEndian.Uint64(b[4:])
	b = b[12:]
	if n != uint64(len(b)-4) {
		return nil, "", errors.New("snapshot is truncated")
	}
	payload := b[:n]
	if crc32.Checksum(payload, snapCRC) != binary.LittleEndian.Uint32(b[n:]) {
		return nil, "", errors.New("snapshot checksum mismatch")
	}
	// The buffer is never written again: strings share it instead of
	// copying 100k entities' worth of text.
	d := &snapDecoder{s: unsafe.String(unsafe.SliceData(payload), len(payload))}
	if d.str() != key || d.err != nil {
		return nil, "", errors.New("snapshot of another catalog or build")
	}
	recorded := map[probe]string{}
	for range d.count(4) {
		p := probe{kind: d.byte(), a: d.str(), b: d.str()}
		recorded[p] = d.str()
	}
	if d.err != nil {
		return nil, "", d.err
	}
	if what := stale(recorded); what != "" {
		return nil, "", fmt.Errorf("stale: %s changed", what)
	}
	digest := d.str()
	res := &LoadResult{}
	for range d.count(5) {
		res.Problems = append(res.Problems, Problem{Level: d.str(), File: d.str(), Document: int(d.uv()), Ref: d.str(), Message: d.str()})
	}
	res.Files = d.strs()
	lens := make([]int, d.count(1))
	total := 0
	for i := range lens {
		lens[i] = d.count(1)
		total += lens[i]
	}
	if d.err != nil || total != len(d.s)-d.at {
		return nil, "", errSnapshotCorrupt
	}
	res.Entities = make([]Entity, len(lens))
	if err := decodeEntities(d.s[d.at:], lens, res.Entities); err != nil {
		return nil, "", err
	}
	return res, digest, nil
}

// decodeEntities decodes the framed entity bodies on all CPUs. The heap
// grows by what is kept, nearly all of it: collecting while it grows would
// re-mark the growing catalog again and again, so collection waits.
func decodeEntities(s string, lens []int, out []Entity) error {
	offs := make([]int, len(lens)+1)
	for i, n := range lens {
		offs[i+1] = offs[i] + n
	}
	gc := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(gc)
	errs := make([]error, workersFor(len(lens)))
	parallelRanges(len(lens), func(w, lo, hi int) {
		for i := lo; i < hi && errs[w] == nil; i++ {
			d := &snapDecoder{s: s[offs[i]:offs[i+1]]}
			d.entity(&out[i])
			if d.err == nil && d.at != len(d.s) {
				d.err = errSnapshotCorrupt
			}
			errs[w] = d.err
		}
	})
	return errors.Join(errs...)
}

// writeAtomic writes b to path through a temp file renamed into place, so
// a reader never sees half a snapshot.
func writeAtomic(dir, path string, b []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".snap-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}

// pruneSnapshots keeps the keepSnapshots most recently used snapshots of
// dir (and keep), and removes temp files a crashed save left behind.
func pruneSnapshots(dir, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type file struct {
		path string
		used time.Time
	}
	var files []file
	for _, de := range entries {
		p := filepath.Join(dir, de.Name())
		info, err := de.Info()
		if err != nil {
			continue
		}
		switch {
		case strings.HasPrefix(de.Name(), ".snap-") && time.Since(info.ModTime()) > time.Hour:
			_ = os.Remove(p)
		case strings.HasSuffix(de.Name(), snapExt) && p != keep:
			files = append(files, file{p, info.ModTime()})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].used.After(files[j].used) })
	for i, f := range files {
		if i >= keepSnapshots-1 {
			_ = os.Remove(f.path)
		}
	}
}
