package retrieval

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/bsai-dev/bsai/pkg/cachefile"
	"github.com/bsai-dev/bsai/pkg/catalog"
)

// The index file: a header (magic, format version, length and CRC-32C of
// the rest), the key it was saved under, then the tables in a fixed
// order. Keys are sorted and every variable-sized part is addressed
// through an offset table, so a load reads the file once, checks it in
// O(size) without allocating per key (the layout first, then each table's
// contents, on two cores) and then looks things up in place (table.go)
// instead of rebuilding maps.

// formatVersion changes whenever encodeIndex/decodeIndex change.
const formatVersion = 3

const indexMagic = "bsai-index\x00"

// headLen is the header: magic, format version, body length, checksum.
const headLen = len(indexMagic) + 12

// maxIndexFile bounds what a load reads (and a save writes): about 230
// bytes per entity, so 1 GiB is millions of entities, and every offset
// fits in a u32.
const maxIndexFile = 1 << 30

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errTooLarge = errors.New("index file is too large")

func encodeIndex(ix *Index, key string) ([]byte, error) {
	e := &encoder{b: make([]byte, headLen, 64+len(ix.refs)*64+postingsLen(ix)*8)}
	e.str(key)

	// refs, sorted, with the document of each; then per-document data.
	perm := make([]int32, len(ix.refs))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int { return strings.Compare(ix.refs[a], ix.refs[b]) })
	sorted := make([]string, len(perm))
	for i, d := range perm {
		sorted[i] = ix.refs[d]
		if i > 0 && sorted[i] == sorted[i-1] {
			return nil, fmt.Errorf("duplicate ref %s in the index", sorted[i])
		}
	}
	e.table(sorted)
	for _, d := range perm {
		e.u32(uint32(d))
	}
	for _, l := range ix.docLen {
		e.f32(l)
	}
	e.f32(ix.avgLen)
	for _, l := range ix.location {
		e.b = append(e.b, b2u(l))
	}

	// Terms sorted, then their posting lists in the same order.
	keys, ids := sortedEntries(ix.vocab.len(), ix.vocab.each)
	e.table(keys)
	e.offsets(len(ids), func(i int) int { return ix.vocab.df(ids[i]) })
	// Term frequencies are sums of a few field weights: a byte indexing
	// the distinct values when there are at most 256.
	tfIndex := map[float32]int{}
	ix.vocab.each(func(_ string, id int32) {
		ps := ix.vocab.postings(id)
		for i := range ps.len() {
			if tf := ps.at(i).tf; len(tfIndex) <= 256 {
				if _, ok := tfIndex[tf]; !ok {
					tfIndex[tf] = len(tfIndex)
				}
			}
		}
	})
	if len(tfIndex) > 256 {
		tfIndex = nil
	}
	// Sorted, so the same index always makes the same file.
	tfv := slices.Sorted(maps.Keys(tfIndex))
	for i, tf := range tfv {
		tfIndex[tf] = i
	}
	e.u32(uint32(len(tfv)))
	for _, tf := range tfv {
		e.f32(tf)
	}
	for _, id := range ids {
		ps := ix.vocab.postings(id)
		for i := range ps.len() {
			e.u32(uint32(ps.doc(i)))
		}
	}
	for _, id := range ids {
		ps := ix.vocab.postings(id)
		for i := range ps.len() {
			if tfIndex != nil {
				e.b = append(e.b, byte(tfIndex[ps.at(i).tf]))
			} else {
				e.f32(ps.at(i).tf)
			}
		}
	}

	phrases := e.lists(&ix.phrases)
	e.u32(uint32(ix.maxPhrase))
	e.set(&ix.keep)
	e.subset(&ix.names, phrases)
	e.lists(&ix.nameTerm)
	e.set(&ix.typeTerms)
	e.set(&ix.specTypes)
	e.pairs(&ix.absentOwners)
	e.pairs(&ix.absentSystems)
	if len(e.b) > maxIndexFile {
		return nil, errTooLarge
	}
	sealIndex(e.b)
	return e.b, nil
}

// sealIndex writes the header into the first headLen bytes of b.
func sealIndex(b []byte) {
	copy(b, indexMagic)
	binary.LittleEndian.PutUint32(b[len(indexMagic):], formatVersion)
	binary.LittleEndian.PutUint32(b[len(indexMagic)+4:], uint32(len(b)-headLen))
	binary.LittleEndian.PutUint32(b[len(indexMagic)+8:], crc32.Checksum(b[headLen:], castagnoli))
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func postingsLen(ix *Index) int {
	n := 0
	ix.vocab.each(func(_ string, id int32) { n += ix.vocab.df(id) })
	return n
}

// readIndexFile reads path (at most maxIndexFile bytes) and returns what
// follows the header once its format and length are right; see
// readIndexFrom for verify.
func readIndexFile(path string) (body string, verify func() error, err error) {
	f, size, err := cachefile.Open(path, maxIndexFile)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	return readIndexFrom(f, size)
}

// readIndexFrom reads an index file of size bytes from r into one buffer,
// which becomes the string the loaded index keeps: its tables are
// substrings of it, so nothing per key is allocated or copied. The
// checksum runs in the background while the caller validates the
// structure (which is safe on any bytes): verify waits for it.
func readIndexFrom(r io.ReaderAt, size int64) (body string, verify func() error, err error) {
	if size > maxIndexFile {
		return "", nil, errTooLarge
	}
	if size < int64(headLen) {
		size = int64(headLen) // read what there is: the header check says why it fails
	}
	b := make([]byte, size)
	// The header first: a file that is not an index is not read whole.
	n, _ := r.ReadAt(b[:headLen], 0)
	if n < len(indexMagic) || string(b[:len(indexMagic)]) != indexMagic {
		return "", nil, fmt.Errorf("not an index file")
	}
	if n < headLen {
		return "", nil, fmt.Errorf("index file is truncated")
	}
	if v := binary.LittleEndian.Uint32(b[len(indexMagic):]); v != formatVersion {
		return "", nil, fmt.Errorf("index format %d, want %d", v, formatVersion)
	}
	if n := int64(binary.LittleEndian.Uint32(b[len(indexMagic)+4:])); n != size-int64(headLen) {
		if n > size-int64(headLen) {
			return "", nil, fmt.Errorf("index file is truncated")
		}
		return "", nil, fmt.Errorf("index file has %d bytes past its end", size-int64(headLen)-n)
	}
	if !readHalves(r, b[headLen:], int64(headLen)) {
		return "", nil, fmt.Errorf("index file is truncated")
	}
	if n, _ := r.ReadAt(make([]byte, 1), size); n != 0 {
		return "", nil, fmt.Errorf("index file changed while read")
	}
	want := binary.LittleEndian.Uint32(b[len(indexMagic)+8:])
	b = b[headLen:]
	sum := make(chan uint32, 1)
	go func() { sum <- crc32.Checksum(b, castagnoli) }()
	verify = sync.OnceValue(func() error {
		if <-sum != want {
			return fmt.Errorf("index file checksum mismatch")
		}
		return nil
	})
	if len(b) == 0 {
		return "", verify, nil
	}
	// b is never written again, which is what unsafe.String requires; a
	// copy would cost as much as the read.
	return unsafe.String(&b[0], len(b)), verify, nil
}

// readHalves fills b from r at off, in two halves read at once: most of a
// read into fresh memory is the page faults, which two cores take in half
// the time (9 -> 5 ms for the 19 MB at 100k entities).
func readHalves(r io.ReaderAt, b []byte, off int64) bool {
	if len(b) < 1<<20 {
		n, _ := r.ReadAt(b, off)
		return n == len(b)
	}
	half := len(b) / 2
	first := make(chan bool, 1)
	go func() {
		n, _ := r.ReadAt(b[:half], off)
		first <- n == half
	}()
	n, _ := r.ReadAt(b[half:], off+int64(half))
	return <-first && n == len(b)-half
}

// decodeIndex validates s (a file after its header, see readIndexFrom)
// against g and returns the index over it. Tables stay in s; only the
// per-document slices are decoded. stop, asked with the stored key,
// abandons the load (the key is known not to match).
func decodeIndex(s string, g *catalog.Graph, stop func(stored string) bool) (*Index, string, error) {
	n := g.Len()
	d := &decoder{s: s, docs: n}
	key := d.str()
	if d.err != nil {
		return nil, "", d.err
	}
	if stop(key) {
		return nil, key, errOtherSnapshot
	}
	ix := &Index{g: g}

	refs := d.table()
	if d.err != nil {
		return nil, key, d.err
	}
	if refs.n != n {
		return nil, key, fmt.Errorf("index has %d entities, the catalog %d", refs.n, n)
	}
	perm := d.skip(4 * n)
	ix.byRef = refIndex{t: refs, perm: perm}
	at := d.skip(4 * n)
	if d.err == nil {
		ix.docLen = make([]float32, n)
		for i := range ix.docLen {
			ix.docLen[i] = f32at(s, at+4*i)
		}
	}
	ix.avgLen = d.f32()
	at = d.skip(n)
	if d.err == nil {
		ix.location = make([]bool, n)
		for i := range ix.location {
			switch s[at+i] {
			case 0:
			case 1:
				ix.location[i] = true
			default:
				d.fail()
			}
		}
	}
	ix.vocab = d.vocab()
	ix.phrases = d.lists()
	ix.maxPhrase = int(d.u32())
	ix.keep = d.set()
	ix.names = d.subset(ix.phrases.t)
	ix.nameTerm = d.lists()
	ix.typeTerms = d.set()
	ix.specTypes = d.set()
	ix.absentOwners = d.pairs()
	ix.absentSystems = d.pairs()
	if d.err != nil {
		return nil, key, d.err
	}
	if d.left() != 0 {
		return nil, key, errCorrupt
	}
	// The layout is sound; now what is inside the tables, about half on
	// each core (the postings are the largest part).
	postings := make(chan bool, 1)
	go func() { postings <- ix.vocab.valid(n) && ix.nameTerm.valid(n) }()
	ok := ix.refsValid() && ix.phrases.valid(n) && ix.keep.valid() && ix.typeTerms.valid() &&
		ix.specTypes.valid() && (ix.names.bits != "" || ix.names.valid()) &&
		ix.absentOwners.valid() && ix.absentSystems.valid()
	if !<-postings || !ok {
		return nil, key, errCorrupt
	}
	return ix, key, nil
}

// refsValid checks the sorted refs and their documents (a permutation:
// distinct non-empty refs, one per document) and fills ix.refs from them.
func (ix *Index) refsValid() bool {
	t, n := &ix.byRef.t, ix.byRef.t.n
	if !t.valid(true) {
		return false
	}
	ix.refs = make([]string, n)
	for i := range n {
		doc, r := int64(u32at(t.s, ix.byRef.perm+4*i)), t.key(i)
		if doc >= int64(n) || r == "" || ix.refs[doc] != "" {
			return false
		}
		ix.refs[doc] = r
	}
	return true
}

func f32at(s string, i int) float32 { return math.Float32frombits(u32at(s, i)) }
