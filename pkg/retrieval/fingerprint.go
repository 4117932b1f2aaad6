package retrieval

import (
	"crypto/sha256"
	"fmt"

	"github.com/bsai-dev/bsai/pkg/buildinfo"
	"github.com/bsai-dev/bsai/pkg/catalog"
)

// Fingerprint identifies g's snapshot for the index cache: the graph's
// content Digest (every entity in graph order: document ids follow that
// order), the index format version and the running binary. It hashes the
// entities rather than trusting file mtimes or a snapshot's age, so a $text
// target edited in place, a Backstage refresh that changed nothing, or a
// files catalog touched without changes all get the right answer; a
// catalog read from its own snapshot brings the digest along.
func Fingerprint(g *catalog.Graph) string {
	top := sha256.New()
	fmt.Fprintf(top, "bsai-index %d %s %d %s\n", formatVersion, buildinfo.BinaryID(), g.Len(), g.Digest())
	return hexKey(top.Sum(nil)[:16])
}
