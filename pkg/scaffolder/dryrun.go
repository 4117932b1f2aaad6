package scaffolder

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/boundedio"
)

// DryRunFile is one file of directoryContents (request and reply).
type DryRunFile struct {
	Path          string `json:"path"`
	Base64Content string `json:"base64Content"`
	Executable    bool   `json:"executable,omitempty"`
}

// DryRunRequest is the body of POST /api/scaffolder/v2/dry-run.
type DryRunRequest struct {
	Template          map[string]any    `json:"template"`
	Values            map[string]any    `json:"values"`
	Secrets           map[string]string `json:"secrets,omitempty"`
	DirectoryContents []DryRunFile      `json:"directoryContents"`
}

// DryRunLogEntry is one line of the task log.
type DryRunLogEntry struct {
	Body struct {
		Message string `json:"message"`
		StepID  string `json:"stepId,omitempty"`
		Status  string `json:"status,omitempty"`
	} `json:"body"`
}

// DryRunResult is the backend's reply.
type DryRunResult struct {
	Log               []DryRunLogEntry `json:"log"`
	Output            map[string]any   `json:"output,omitempty"`
	Steps             []map[string]any `json:"steps,omitempty"`
	DirectoryContents []DryRunFile     `json:"directoryContents,omitempty"`
}

// DryRun runs a template on the backend without side effects.
func DryRun(ctx context.Context, bs *backstage.Client, req DryRunRequest) (*DryRunResult, error) {
	if req.Values == nil {
		req.Values = map[string]any{}
	}
	if req.DirectoryContents == nil {
		req.DirectoryContents = []DryRunFile{}
	}
	var out DryRunResult
	if err := bs.Do(ctx, "POST", "/api/scaffolder/v2/dry-run", req, &out); err != nil {
		return nil, fmt.Errorf("dry-run: %w", err)
	}
	return &out, nil
}

// DirectoryContents reads every file below dir (e.g. the template's folder
// with its skeleton) as dry-run directoryContents.
func DirectoryContents(dir string) ([]DryRunFile, error) {
	var out []DryRunFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		// The template folder is user input: a FIFO or device in it must
		// not hang the dry run, nor a huge file fill memory.
		b, err := boundedio.ReadFile(context.Background(), p, boundedio.Input())
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, _ := d.Info()
		out = append(out, DryRunFile{Path: filepath.ToSlash(rel), Base64Content: base64.StdEncoding.EncodeToString(b), Executable: info != nil && info.Mode()&0o111 != 0})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// DefaultValues fills form values for a dry run: each property's default,
// else the first enum value, else a placeholder for required strings.
func DefaultValues(tpl map[string]any) map[string]any {
	vals := map[string]any{}
	spec := asMap(tpl["spec"])
	var pages []any
	switch p := spec["parameters"].(type) {
	case []any:
		pages = p
	case map[string]any:
		pages = []any{p}
	}
	for _, pg := range pages {
		pm := asMap(pg)
		req := map[string]bool{}
		for _, r := range asSlice(pm["required"]) {
			req[strOf(r)] = true
		}
		props := asMap(pm["properties"])
		for _, k := range sortedKeys(props) {
			ps := asMap(props[k])
			switch {
			case ps["default"] != nil:
				vals[k] = ps["default"]
			case len(asSlice(ps["enum"])) > 0:
				vals[k] = asSlice(ps["enum"])[0]
			case req[k]:
				switch strOf(ps["type"]) {
				case "number", "integer":
					vals[k] = 1
				case "boolean":
					vals[k] = true
				case "array":
					vals[k] = []any{}
				case "object":
					vals[k] = map[string]any{}
				default:
					if strOf(ps["ui:field"]) == "RepoUrlPicker" {
						vals[k] = "github.com?owner=dry-run&repo=dry-run"
					} else {
						vals[k] = "dry-run"
					}
				}
			}
		}
	}
	return vals
}

// WriteDryRunLog prints the step log.
func WriteDryRunLog(w io.Writer, r *DryRunResult) {
	for _, l := range r.Log {
		prefix := ""
		if l.Body.StepID != "" {
			prefix = "[" + l.Body.StepID + "] "
		}
		msg := strings.TrimRight(l.Body.Message, "\n")
		if msg == "" && l.Body.Status != "" {
			msg = "status: " + l.Body.Status
		}
		fmt.Fprintf(w, "%s%s\n", prefix, msg)
	}
	if len(r.Output) > 0 {
		fmt.Fprintln(w, "output:")
		for _, k := range sortedKeys(r.Output) {
			fmt.Fprintf(w, "  %s: %v\n", k, r.Output[k])
		}
	}
}
