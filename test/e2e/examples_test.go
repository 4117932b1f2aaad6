package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// exampleRefs lists the refs of every entity in the files the backend's
// app-config.yaml registers, read independently of bsai's own loader so the
// harness cannot share a bug with the code under test.
func exampleRefs(root, bsDir string) ([]string, error) {
	var files []string
	for _, g := range []string{
		filepath.Join(root, "examples", "catalog", "*.yaml"),
		filepath.Join(root, "examples", "templates", "*", "template.yaml"),
		filepath.Join(bsDir, "templates", "*.yaml"),
	} {
		m, err := filepath.Glob(g)
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	seen := map[string]bool{}
	var refs []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc struct {
				Kind     string `yaml:"kind"`
				Metadata struct {
					Name      string `yaml:"name"`
					Namespace string `yaml:"namespace"`
				} `yaml:"metadata"`
			}
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if doc.Kind == "" || doc.Metadata.Name == "" {
				continue
			}
			ns := doc.Metadata.Namespace
			if ns == "" {
				ns = "default"
			}
			r := strings.ToLower(doc.Kind + ":" + ns + "/" + doc.Metadata.Name)
			if !seen[r] {
				seen[r] = true
				refs = append(refs, r)
			}
		}
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("no example entities found under %s/examples", root)
	}
	sort.Strings(refs)
	return refs, nil
}
