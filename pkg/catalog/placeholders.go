package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/boundedio"
)

// resolvePlaceholders does what Backstage's PlaceholderProcessor does for
// entities read from files: an object {$text: path} in spec becomes the
// file's text, {$json: path} / {$yaml: path} its parsed content. Catalog
// files are untrusted, so a target is read only when it is a relative path
// that stays inside the folder of the entity's file (after symlinks), is a
// regular file and is under lim: Backstage resolves placeholders against
// the entity's location and never reads an arbitrary host path
// ({$text: /proc/self/environ} would otherwise put every secret of bsai's
// environment into the entity). URL targets cannot be fetched offline.
// Whatever is not resolved stays as it was and is returned as a note.
func resolvePlaceholders(ctx context.Context, spec map[string]any, file string, ph *placeholderReader) []string {
	// Nearly every entity has none: one walk that allocates nothing says
	// so. Those that do are walked in sorted key order, so the notes and,
	// when the load's budget runs out, which target gets it are the same on
	// every load.
	found := false
	for _, v := range spec { // spec itself is never a placeholder
		if found = hasPlaceholder(v); found {
			break
		}
	}
	if !found {
		return nil
	}
	var notes []string
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			if k, target, ok := placeholderOf(t); ok {
				resolved, note := ph.resolve(ctx, k, target, file)
				if note != "" {
					notes = append(notes, note)
					return t
				}
				return resolved
			}
			for _, k := range slices.Sorted(maps.Keys(t)) {
				t[k] = walk(t[k])
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		}
		return v
	}
	for _, k := range slices.Sorted(maps.Keys(spec)) {
		spec[k] = walk(spec[k])
	}
	return notes
}

// placeholderOf says whether m is a placeholder ({$text|$json|$yaml: path}).
func placeholderOf(m map[string]any) (kind, target string, ok bool) {
	if len(m) != 1 {
		return "", "", false
	}
	for k, v := range m {
		s, isStr := v.(string)
		if (k == "$text" || k == "$json" || k == "$yaml") && isStr {
			return k, s, true
		}
	}
	return "", "", false
}

// hasPlaceholder says whether v holds a placeholder anywhere.
func hasPlaceholder(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		if _, _, ok := placeholderOf(t); ok {
			return true
		}
		for _, x := range t {
			if hasPlaceholder(x) {
				return true
			}
		}
	case []any:
		for _, x := range t {
			if hasPlaceholder(x) {
				return true
			}
		}
	}
	return false
}

// placeholderTotalFactor bounds what all placeholders of one load read
// together, as a multiple of the per-target cap (160 MiB by default): many
// entities each naming a large file must not exhaust memory either.
const placeholderTotalFactor = 16

// placeholderReader reads placeholder targets for one load, within the
// per-target cap and the load's total budget (shared by the parallel
// workers).
type placeholderReader struct {
	lim  boundedio.Limit
	left atomic.Int64
	// over is set when a target was refused for the total budget: which
	// one that was depended on the workers' timing, so the wave's
	// placeholders are resolved again in load order (readWave).
	over atomic.Bool
	rec  *probes // nil unless the load is snapshotted
}

func newPlaceholderReader(lim boundedio.Limit) *placeholderReader {
	r := &placeholderReader{lim: lim}
	r.left.Store(lim.Bytes * placeholderTotalFactor)
	return r
}

func (ph *placeholderReader) resolve(ctx context.Context, kind, target, file string) (any, string) {
	lim := ph.lim
	if strings.Contains(target, "://") {
		return nil, fmt.Sprintf("%s %s left unresolved: urls are not fetched offline", kind, target)
	}
	p, err := placeholderPath(target, file)
	ph.rec.add(probe{kind: probeHolder, a: target, b: file}, holderAnswer(p, err))
	if err != nil {
		return nil, fmt.Sprintf("%s %s refused: %v", kind, target, err)
	}
	ph.rec.file(p)
	b, err := boundedio.ReadFile(ctx, p, lim)
	if err != nil {
		if errors.Is(err, boundedio.ErrTooLarge) || errors.Is(err, boundedio.ErrNotRegular) {
			return nil, fmt.Sprintf("%s %s refused: %v", kind, target, err)
		}
		return nil, fmt.Sprintf("%s %s left unresolved: %v", kind, target, unwrapPathErr(err))
	}
	if ph.left.Add(-int64(len(b))) < 0 {
		ph.over.Store(true)
		return nil, fmt.Sprintf("%s %s refused: the catalog's placeholders read more than %s in total (%d times %s)",
			kind, target, boundedio.FormatSize(lim.Bytes*placeholderTotalFactor), placeholderTotalFactor, lim.Setting)
	}
	switch kind {
	case "$json":
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Sprintf("%s %s left unresolved: invalid json: %v", kind, target, err)
		}
		return v, ""
	case "$yaml":
		var v any
		if err := yaml.Unmarshal(b, &v); err != nil {
			return nil, fmt.Sprintf("%s %s left unresolved: invalid yaml: %v", kind, target, err)
		}
		return normalizeValue(v), ""
	}
	return string(b), ""
}

// errOutside is why a placeholder target was refused.
var errOutside = errors.New("placeholder targets must stay inside the folder of the entity's file")

// placeholderPath resolves target against the folder of the entity's file
// and returns the real path to read, or an error when target is absolute,
// climbs out of that folder with "..", or is a symlink whose destination
// lies outside it. A target that does not exist is returned as is, so the
// read reports it.
func placeholderPath(target, file string) (string, error) {
	if target == "" {
		return "", errors.New("empty path")
	}
	if filepath.IsAbs(target) || strings.HasPrefix(target, "/") || strings.HasPrefix(target, `\`) || filepath.VolumeName(target) != "" {
		return "", fmt.Errorf("absolute paths are not read; %w", errOutside)
	}
	base := filepath.Dir(file)
	p := filepath.Join(base, target)
	if !within(base, p) {
		return "", errOutside
	}
	realBase, err := filepath.EvalSymlinks(base)
	if err != nil {
		return "", err
	}
	realP, err := filepath.EvalSymlinks(p)
	if err != nil {
		return p, nil // missing: the read names the error
	}
	if !within(realBase, realP) {
		return "", fmt.Errorf("it is a symlink to %s; %w", realP, errOutside)
	}
	return realP, nil
}

// within reports whether p is dir or below it (both cleaned).
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// errOutsideLocation is why a Location target was refused.
var errOutsideLocation = errors.New("location targets in catalog files must stay inside the folder given as the catalog")

// targetPath resolves a Location target (a path or glob) against the
// Location's file, refusing absolute ones and ones that climb out of base.
func targetPath(target, file, base string) (string, error) {
	if filepath.IsAbs(target) || strings.HasPrefix(target, "/") || filepath.VolumeName(target) != "" {
		return "", fmt.Errorf("absolute paths are not read; %w", errOutsideLocation)
	}
	p := filepath.Join(filepath.Dir(file), target)
	if !within(base, p) {
		return "", errOutsideLocation
	}
	return p, nil
}

// confined keeps the files whose real path (after symlinks) is inside
// dir, and names the first one that is not; w, when the files come from a
// folder walk, spares resolving the ones that are not links.
func confined(files []string, dir string, w *walked) ([]string, string) {
	realDir, err := realAbs(dir)
	if err != nil {
		return nil, dir
	}
	// A walk whose root really is inside dir found only inside files,
	// except its links.
	plain := false
	if w != nil {
		root, err := realAbs(w.root)
		plain = err == nil && within(realDir, root)
	}
	out := files[:0]
	outside := ""
	for _, f := range files {
		if plain && !w.links[f] {
			out = append(out, f)
			continue
		}
		real, err := realAbs(f)
		if err == nil && within(realDir, real) {
			out = append(out, f)
		} else if outside == "" {
			outside = f
		}
	}
	return out, outside
}

// realAbs is p absolute with every symlink resolved.
func realAbs(p string) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(r)
}
