package config

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/errs"
)

func TestCatalogConfig(t *testing.T) {
	dir := "/etc/acme"
	cases := []struct {
		name, yaml string
		source     string
		files      []string
		base       string
		from       string
	}{
		{"files list resolved against the config file", `
bsai:
  catalog:
    files: [./catalog, /abs/x.yaml, "./more/**/*.yaml"]`, CatalogFiles,
			[]string{filepath.Join(dir, "catalog"), "/abs/x.yaml", filepath.Join(dir, "more/**/*.yaml")}, "", "bsai.catalog.files"},
		{"one file as a string", `
bsai: {catalog: {files: ./catalog-info.yaml}}`, CatalogFiles, []string{filepath.Join(dir, "catalog-info.yaml")}, "", "bsai.catalog.files"},
		{"backstage from bsai.catalog.backstage", `
backend: {baseUrl: http://ignored:7007}
bsai: {catalog: {backstage: {baseUrl: http://bs:7007, token: t, pageSize: 100}, cacheTTL: 10m}}`, CatalogBackstage, nil, "http://bs:7007", "bsai.catalog.backstage.baseUrl"},
		{"file locations of an existing app-config win over backend.baseUrl", `
backend: {baseUrl: http://localhost:7007}
catalog:
  locations:
    - {type: url, target: https://github.com/acme/x/blob/main/catalog-info.yaml}
    - {type: file, target: ../../examples/entities.yaml}`, CatalogFiles, []string{filepath.Join(dir, "../../examples/entities.yaml")}, "http://localhost:7007", "catalog.locations"},
		{"backend.baseUrl alone", `
backend: {baseUrl: http://localhost:7007}`, CatalogBackstage, nil, "http://localhost:7007", "backend.baseUrl"},
		{"explicit source wins", `
backend: {baseUrl: http://localhost:7007}
bsai: {catalog: {source: backstage, files: [./x]}}`, CatalogBackstage, []string{filepath.Join(dir, "x")}, "http://localhost:7007", "bsai.catalog.source"},
		{"nothing", `app: {title: x}`, "", nil, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := LoadBytes(filepath.Join(dir, "app-config.yaml"), []byte(c.yaml), []string{})
			if err != nil {
				t.Fatal(err)
			}
			cc, err := cfg.Catalog()
			if err != nil {
				t.Fatal(err)
			}
			if cc.Source != c.source || !reflect.DeepEqual(cc.Files, c.files) || cc.Backstage.BaseURL != c.base || cc.From != c.from {
				t.Errorf("got source=%q files=%v base=%q from=%q", cc.Source, cc.Files, cc.Backstage.BaseURL, cc.From)
			}
		})
	}
	cfg, _ := LoadBytes("/x/app-config.yaml", []byte("bsai: {catalog: {backstage: {baseUrl: http://b, pageSize: 100}, cacheTTL: 10m}}"), []string{})
	cc, err := cfg.Catalog()
	if err != nil || cc.PageSize != 100 || cc.CacheTTL.Duration != 10*time.Minute {
		t.Errorf("pageSize/cacheTTL: %v %+v", err, cc)
	}
	for _, bad := range []string{
		"bsai: {catalog: {source: ftp}}",
		"bsai: {catalog: {source: files}}",
		"bsai: {catalog: {files: [1, 2]}}",
		"bsai: {catalog: {backstage: {pageSize: -1}}}",
	} {
		cfg, err := LoadBytes("/x/app-config.yaml", []byte(bad), []string{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cfg.Catalog(); errs.KindOf(err) != errs.KindConfig {
			t.Errorf("%s: err = %v, want a config error", bad, err)
		}
	}
}
