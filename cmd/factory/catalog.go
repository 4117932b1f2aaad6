package factory

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
)

// newCatalogSource builds the entity source: --catalog (a URL means a
// Backstage backend, anything else files/folders/globs) wins over
// bsai.catalog (see config.Catalog for the order). Backstage sources are
// wrapped in the on-disk snapshot cache (a TTL: the backend cannot say
// cheaply whether anything changed); files sources keep a snapshot that is
// reused while the files are unchanged (catalog.SnapshotOptions).
func newCatalogSource(f *Factory) (catalog.Source, error) {
	g := strings.TrimSpace(f.Globals.Catalog)
	if g != "" && !isURL(g) {
		return newFilesSource(f, g)
	}
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	cc, err := cfg.Catalog()
	if err != nil {
		return nil, err
	}
	if g != "" {
		return newBackstageSource(f, cc) // --catalog URL: the backend it names
	}
	switch cc.Source {
	case config.CatalogFiles:
		return newFilesSource(f, cc.Files...)
	case config.CatalogBackstage:
		return newBackstageSource(f, cc)
	}
	return nil, errs.Config("no catalog configured").
		WithHint("pass --catalog ./catalog-info.yaml (a file, folder or glob) or --catalog http://host:7007, or set bsai.catalog.files in app-config.yaml")
}

// newFilesSource reads catalog files with the caps of bsai.limits; the
// config is loaded (and checked) even for --catalog PATH, so the caps and
// config errors apply to every command.
func newFilesSource(f *Factory, paths ...string) (catalog.Source, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	lim, err := cfg.Limits()
	if err != nil {
		return nil, err
	}
	src := catalog.NewFilesSource(paths...)
	src.Options = catalog.LoadOptions{FileLimit: lim.Catalog, PlaceholderLimit: lim.Input}
	if dir, err := os.UserCacheDir(); err == nil {
		src.Snapshot = &catalog.SnapshotOptions{Dir: filepath.Join(dir, "bsai", "catalog"), MinEntities: catalog.DefaultSnapshotMin,
			Refresh: f.Globals != nil && f.Globals.Refresh, Verbosef: f.IOStreams.Verbosef, SaveLater: f.saveLater}
	}
	return &reportingSource{Source: src, ios: f.IOStreams}, nil
}

func newBackstageSource(f *Factory, cc config.CatalogConfig) (catalog.Source, error) {
	client, err := f.Backstage()
	if err != nil {
		return nil, err
	}
	bs := catalog.NewBackstageSource(client, cc.PageSize)
	ios := f.IOStreams
	bs.OnPage = func(fetched, total int) {
		if total > 0 {
			ios.Verbosef("catalog: fetched %d of %d entities", fetched, total)
		} else {
			ios.Verbosef("catalog: fetched %d entities", fetched)
		}
	}
	label := client.BaseURL
	if u, err := url.Parse(label); err == nil && u.User != nil {
		u.User = nil // never keep credentials from a URL in the snapshot
		label = u.String()
	}
	cs := &catalog.CachedSource{
		Source:  bs,
		Label:   label,
		TTL:     cc.CacheTTL.Duration,
		Now:     f.Now,
		Refresh: f.Globals.Refresh,
	}
	if dir, err := os.UserCacheDir(); err == nil {
		cs.Path = catalog.CachePath(dir, client.BaseURL+"\n"+catalog.TokenFingerprint(client.Token))
	}
	return cs, nil
}

// problemReporter is implemented by sources that collect load problems.
type problemReporter interface{ Problems() []catalog.Problem }

// reportingSource prints a files source's problems to stderr once, after
// the first load, so every command that reads the catalog shows them.
type reportingSource struct {
	catalog.Source
	ios  *iostreams.IOStreams
	once sync.Once
}

func (r *reportingSource) report() {
	r.once.Do(func() {
		pr, ok := r.Source.(problemReporter)
		if !ok {
			return
		}
		for _, p := range pr.Problems() {
			if p.Level == "info" {
				r.ios.Verbosef("note: %s", p)
				continue
			}
			r.ios.Warnf("%s", p)
		}
	})
}

func (r *reportingSource) Entities(ctx context.Context, q catalog.Query) ([]catalog.Entity, error) {
	ents, err := r.Source.Entities(ctx, q)
	if err == nil {
		r.report()
	}
	return ents, err
}

func (r *reportingSource) Entity(ctx context.Context, ref catalog.Ref) (*catalog.Entity, error) {
	e, err := r.Source.Entity(ctx, ref)
	if err == nil || errs.KindOf(err) == errs.KindNotFound {
		r.report()
	}
	return e, err
}

// Graph is the inner source's graph (a files snapshot decodes entities
// only as they are used).
func (r *reportingSource) Graph(ctx context.Context) (*catalog.Graph, error) {
	g, err := catalog.LoadGraph(ctx, r.Source)
	if err == nil {
		r.report()
	}
	return g, err
}

// Problems passes the inner source's problems through.
func (r *reportingSource) Problems() []catalog.Problem {
	if pr, ok := r.Source.(problemReporter); ok {
		return pr.Problems()
	}
	return nil
}

// newCatalogGraph loads every entity into a graph (with the on-disk cache).
func newCatalogGraph(ctx context.Context, f *Factory) (*catalog.Graph, error) {
	src, err := f.CatalogSource()
	if err != nil {
		return nil, err
	}
	stop := f.IOStreams.StartProgress("loading catalog")
	start := time.Now()
	g, err := catalog.LoadGraph(ctx, src)
	stop()
	if err != nil {
		return nil, err
	}
	f.IOStreams.Verbosef("catalog: %d entities in %s", g.Len(), time.Since(start).Round(time.Millisecond))
	return g, nil
}
