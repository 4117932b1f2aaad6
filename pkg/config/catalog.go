package config

import (
	"strings"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// Catalog source kinds.
const (
	CatalogFiles     = "files"
	CatalogBackstage = "backstage"
)

// CatalogConfig is the typed view of bsai.catalog, with the source already
// decided and file paths resolved against the config file that set them.
type CatalogConfig struct {
	// Source is "files" or "backstage"; "" when nothing is configured.
	Source string `json:"source"`
	// Files are files, folders or globs (absolute or relative to the cwd).
	Files []string `json:"files,omitempty"`
	// Backstage is the backend connection (bsai.backstage, then
	// bsai.catalog.backstage, then backend.baseUrl) plus the page size.
	Backstage BackstageConfig `json:"backstage"`
	PageSize  int             `json:"pageSize,omitempty"`
	// CacheTTL is how long a backstage snapshot is reused (0 = default).
	CacheTTL Duration `json:"cacheTTL"`
	// From says which keys decided the source, for messages.
	From string `json:"from,omitempty"`
}

type rawCatalog struct {
	Source    string `json:"source"`
	Files     any    `json:"files"`
	Backstage struct {
		PageSize int `json:"pageSize"`
	} `json:"backstage"`
	CacheTTL Duration `json:"cacheTTL"`
}

type rawLocation struct {
	Type   string `json:"type"`
	Target string `json:"target"`
}

// Catalog decides where entities come from:
//  1. bsai.catalog.source when set;
//  2. bsai.catalog.files when present;
//  3. bsai.catalog.backstage.baseUrl when present;
//  4. Backstage's own catalog.locations entries of type file (resolved
//     against the config file, so an existing app-config works offline);
//  5. backend.baseUrl / bsai.backstage.baseUrl.
//
// Nothing configured leaves Source empty; the caller reports it.
func (c *Config) Catalog() (CatalogConfig, error) {
	var out CatalogConfig
	var raw rawCatalog
	if err := c.Decode("bsai.catalog", &raw); err != nil {
		return out, err
	}
	bc, err := c.Backstage()
	if err != nil {
		return out, err
	}
	out.Backstage = bc
	out.PageSize = raw.Backstage.PageSize
	out.CacheTTL = raw.CacheTTL
	if out.PageSize < 0 {
		return out, c.keyErr("bsai.catalog.backstage.pageSize", "must be a positive number")
	}
	files, err := c.stringList("bsai.catalog.files", raw.Files)
	if err != nil {
		return out, err
	}
	for _, f := range files {
		out.Files = append(out.Files, c.ResolvePath("bsai.catalog.files", f))
	}
	catalogBase, _ := c.String("bsai.catalog.backstage.baseUrl")
	switch strings.ToLower(raw.Source) {
	case CatalogFiles:
		out.Source, out.From = CatalogFiles, "bsai.catalog.source"
		if len(out.Files) == 0 {
			return out, c.keyErr("bsai.catalog.files", "source is files but no files are listed")
		}
		return out, nil
	case CatalogBackstage:
		out.Source, out.From = CatalogBackstage, "bsai.catalog.source"
		return out, nil
	case "":
	default:
		return out, c.keyErr("bsai.catalog.source", "unknown source %q (use files or backstage)", raw.Source)
	}
	switch {
	case len(out.Files) > 0:
		out.Source, out.From = CatalogFiles, "bsai.catalog.files"
	case catalogBase != "":
		out.Source, out.From = CatalogBackstage, "bsai.catalog.backstage.baseUrl"
	default:
		var locs []rawLocation
		if err := c.Decode("catalog.locations", &locs); err != nil {
			return out, err
		}
		for _, l := range locs {
			if strings.EqualFold(l.Type, "file") && l.Target != "" {
				out.Files = append(out.Files, c.ResolvePath("catalog.locations", l.Target))
			}
		}
		if len(out.Files) > 0 {
			out.Source, out.From = CatalogFiles, "catalog.locations"
		} else if bc.BaseURL != "" {
			out.Source, out.From = CatalogBackstage, "backend.baseUrl"
		}
	}
	return out, nil
}

// stringList accepts one string or a list of strings.
func (c *Config) stringList(key string, v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, c.keyErr(key, "expected a list of paths, got %s in it", typeName(x))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errs.Config("invalid config key %q: expected a path or a list of paths, got %s", key, typeName(v))
}
