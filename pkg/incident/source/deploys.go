package source

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bsai-dev/bsai/pkg/boundedio"
	"sort"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// DeployEvent is one line of a deploy-event JSONL file.
type DeployEvent struct {
	Time        time.Time `json:"time"`
	Entity      string    `json:"entity"`
	Version     string    `json:"version"`
	Previous    string    `json:"previous,omitempty"`
	Author      string    `json:"author,omitempty"`
	Link        string    `json:"link,omitempty"`
	Kind        string    `json:"kind,omitempty"` // deploy (default) | config | infra
	Description string    `json:"description,omitempty"`
}

// DeployFileSource reads deploy events from JSONL files.
type DeployFileSource struct {
	Files []string
	Limit boundedio.Limit // per file; zero = boundedio's input default
}

func (d *DeployFileSource) Name() string { return "deploys" }

func (d *DeployFileSource) Collect(ctx context.Context, s Scope) ([]Evidence, error) {
	var out []Evidence
	err := readEach(ctx, d.Files, d.Limit, "deploy events", func(f string, b []byte) error {
		evs, err := ParseDeployEvents(b)
		for _, ev := range evs {
			c := Change{Time: ev.Time, Entity: normRef(ev.Entity), Version: ev.Version, Previous: ev.Previous,
				Author: ev.Author, Link: ev.Link, Kind: ev.Kind, Description: ev.Description}
			if e, ok := changeEvidence(s, c, "deploys"); ok {
				out = append(out, e)
			}
		}
		if err != nil {
			// Bad lines are skipped and counted: the rest of the file
			// stays evidence, and the count is a warning.
			return fmt.Errorf("deploy events %s: %w", f, err)
		}
		return nil
	})
	return out, err
}

// readEach reads every file through boundedio and hands its bytes to use.
// A file that cannot be read ends the loop with "what: err" alone (the
// caller returns what it collected so far); use's errors are warnings,
// joined once every file is read.
func readEach(ctx context.Context, files []string, limit boundedio.Limit, what string, use func(f string, b []byte) error) error {
	var warns []error
	for _, f := range files {
		b, err := boundedio.ReadFile(ctx, f, limit)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := use(f, b); err != nil {
			warns = append(warns, err)
		}
	}
	return errors.Join(warns...)
}

// ParseDeployEvents parses JSONL, skipping blank lines and # comments. Lines
// that are not a deploy event are skipped; the error is then a *BadLines
// and the events are still returned.
func ParseDeployEvents(b []byte) ([]DeployEvent, error) {
	var out []DeployEvent
	err := eachJSONL(b, func(n int, line []byte) error {
		var ev DeployEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			return err
		}
		if ev.Entity == "" || ev.Time.IsZero() {
			return fmt.Errorf("needs \"time\" and \"entity\"")
		}
		if ev.Kind == "" {
			ev.Kind = KindDeploy
		}
		out = append(out, ev)
		return nil
	})
	return out, err
}

// BadLines counts the lines of a JSONL file that could not be read. They
// are skipped; every other line is kept.
type BadLines struct {
	Count int
	First int   // line number of the first bad line
	Err   error // why the first one was bad
}

func (b *BadLines) Error() string {
	return fmt.Sprintf("skipped %d bad line(s), the first at line %d: %v", b.Count, b.First, b.Err)
}

// eachJSONL calls fn with each non-blank, non-# line of a JSONL file and
// its 1-based line number, so every file source reports errors the same way.
// A line fn rejects is skipped and counted (*BadLines); the scan goes on.
// Lines may be up to 4 MiB (log lines with stack traces).
func eachJSONL(b []byte, fn func(n int, line []byte) error) error {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	var bad *BadLines
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if err := fn(n, line); err != nil {
			if bad == nil {
				bad = &BadLines{First: n, Err: err}
			}
			bad.Count++
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n+1, err)
	}
	if bad != nil {
		return bad
	}
	return nil
}

// changeEvidence keeps changes inside the window (any entity: unrelated
// changes are evidence too, they just score low).
func changeEvidence(s Scope, c Change, source string) (Evidence, bool) {
	if c.Time.Before(s.Start) || c.Time.After(s.End) {
		return Evidence{}, false
	}
	if c.Kind == "" {
		c.Kind = KindDeploy
	}
	d := fmt.Sprintf("%s %s", ChangeVerb(c.Kind), c.Entity)
	if c.Version != "" {
		d += " version " + c.Version
		if c.Previous != "" {
			d += " (was " + c.Previous + ")"
		}
	}
	if c.Author != "" {
		d += " by " + c.Author
	}
	if c.Description != "" {
		d += ": " + c.Description
	}
	if c.Status != "" && c.Status != "completed" {
		d += " [" + c.Status + "]"
	}
	link := c.Link
	if link == "" {
		link = c.Entity
	}
	cc := c
	return Evidence{Source: source, Kind: c.Kind, Time: tp(c.Time), Entity: c.Entity, Detail: d, Link: link, Change: &cc}, true
}

// normRef turns "NAME" or "component:NAME" into a full ref.
func normRef(s string) string {
	r, err := catalog.ParseRef(s, "component", "")
	if err != nil {
		return strings.ToLower(s)
	}
	return r.String()
}

// BackstageDoer is the slice of the Backstage client sources and actions use.
type BackstageDoer interface {
	Do(ctx context.Context, method, path string, body, out any) error
}

// BackstageClient adds Create, for requests that start work and so must not
// be retried after a 5xx (starting a scaffolder task).
type BackstageClient interface {
	BackstageDoer
	Create(ctx context.Context, method, path string, body, out any) error
}

// ScaffolderTask is a task from /api/scaffolder/v2/tasks.
type ScaffolderTask struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy"`
	Spec      struct {
		TemplateInfo struct {
			EntityRef string `json:"entityRef"`
		} `json:"templateInfo"`
		Parameters map[string]any `json:"parameters"`
		User       struct {
			Ref string `json:"ref"`
		} `json:"user"`
	} `json:"spec"`
}

// ScaffolderSource reads scaffolder task history: deploy/rollback/config
// templates run through Backstage are changes like any other.
type ScaffolderSource struct {
	Client  BackstageDoer
	BaseURL string // for task links; "" = relative links
}

func (d *ScaffolderSource) Name() string { return "scaffolder" }

func (d *ScaffolderSource) Collect(ctx context.Context, s Scope) ([]Evidence, error) {
	var reply struct {
		Tasks []ScaffolderTask `json:"tasks"`
	}
	if err := d.Client.Do(ctx, "GET", "/api/scaffolder/v2/tasks?limit=200&order=desc:created_at", nil, &reply); err != nil {
		return nil, fmt.Errorf("scaffolder tasks: %w", err)
	}
	var out []Evidence
	for _, t := range reply.Tasks {
		c, ok := taskChange(t, s)
		if !ok {
			continue
		}
		c.Link = strings.TrimRight(d.BaseURL, "/") + "/create/tasks/" + t.ID
		if e, ok := changeEvidence(s, c, "scaffolder"); ok {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(*out[j].Time) })
	return out, nil
}

// taskChange maps a task to a change when its parameters name an entity.
// Templates named *rollback*/*deploy*/*release* are deploys, *config* config
// changes, *infra*/*terraform*/*scale* infra; others count as config.
func taskChange(t ScaffolderTask, s Scope) (Change, bool) {
	p := t.Spec.Parameters
	str := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := p[k].(string); ok && v != "" {
				return v
			}
		}
		return ""
	}
	ent := str("entityRef", "entity", "component", "service", "componentRef", "name", "app")
	if ent == "" {
		return Change{}, false
	}
	ref := normRef(ent)
	if len(s.Entities) > 0 && s.EntityFor(RefName(ref)) != "" {
		ref = s.EntityFor(RefName(ref))
	}
	tpl := strings.ToLower(t.Spec.TemplateInfo.EntityRef)
	kind := KindConfig
	switch {
	case strings.Contains(tpl, "deploy"), strings.Contains(tpl, "rollback"), strings.Contains(tpl, "release"):
		kind = KindDeploy
	case strings.Contains(tpl, "infra"), strings.Contains(tpl, "terraform"), strings.Contains(tpl, "scale"):
		kind = KindInfra
	}
	author := cmp.Or(t.Spec.User.Ref, t.CreatedBy)
	return Change{Time: t.CreatedAt, Entity: ref, Version: str("version", "tag", "image", "ref"),
		Author: author, Kind: kind, Status: t.Status,
		Description: "scaffolder task " + t.ID + " (" + t.Spec.TemplateInfo.EntityRef + ")"}, true
}

func ChangeVerb(kind string) string {
	switch kind {
	case KindConfig:
		return "config change to"
	case KindInfra:
		return "infra change to"
	}
	return kind + " of"
}
