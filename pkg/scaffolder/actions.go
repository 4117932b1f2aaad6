package scaffolder

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/config"
)

// Action is one scaffolder action as GET /api/scaffolder/v2/actions lists it.
type Action struct {
	ID          string       `json:"id"`
	Description string       `json:"description,omitempty"`
	Schema      ActionSchema `json:"schema"`
	// Module names the Backstage scaffolder-backend-module-* package that
	// provides a non-core built-in action (built-in catalogue only).
	Module string `json:"module,omitempty"`
	// Source is "builtin", "live" or "config".
	Source string `json:"source,omitempty"`
}

// ActionSchema holds the input (and output) JSON Schemas of an action.
type ActionSchema struct {
	Input  map[string]any `json:"input,omitempty"`
	Output map[string]any `json:"output,omitempty"`
}

// Catalogue is the set of actions a template may use.
type Catalogue struct {
	// Live is true when the list came from a backend: then an unknown
	// action is an error, not a warning.
	Live    bool
	Origin  string // "builtin" or the backend URL
	actions map[string]*Action
}

// Lookup returns the action with id.
func (c *Catalogue) Lookup(id string) (*Action, bool) {
	a, ok := c.actions[id]
	return a, ok
}

// IDs lists action ids in order.
func (c *Catalogue) IDs() []string { return sortedKeys(c.actions) }

// Actions lists actions in id order.
func (c *Catalogue) Actions() []*Action {
	out := make([]*Action, 0, len(c.actions))
	for _, id := range c.IDs() {
		out = append(out, c.actions[id])
	}
	return out
}

// Add puts actions into the catalogue; later ones win.
func (c *Catalogue) Add(acts ...Action) {
	if c.actions == nil {
		c.actions = map[string]*Action{}
	}
	for i := range acts {
		a := acts[i]
		c.actions[a.ID] = &a
	}
}

var (
	builtinOnce sync.Once
	builtinActs []Action
	builtinErr  error
)

// BuiltinActions returns the embedded catalogue of Backstage's built-in
// actions with their input schemas.
func BuiltinActions() ([]Action, error) {
	builtinOnce.Do(func() {
		b, err := schemaFS.ReadFile("schema/builtin-actions.json")
		if err != nil {
			builtinErr = err
			return
		}
		var doc struct {
			Actions []Action `json:"actions"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			builtinErr = fmt.Errorf("builtin actions: %w", err)
			return
		}
		for i := range doc.Actions {
			doc.Actions[i].Source = "builtin"
		}
		builtinActs = doc.Actions
	})
	return builtinActs, builtinErr
}

// NewBuiltinCatalogue is the offline catalogue: built-ins plus actions
// declared in config (bsai.scaffolder.actions).
func NewBuiltinCatalogue(extra []config.ScaffolderAction) (*Catalogue, error) {
	acts, err := BuiltinActions()
	if err != nil {
		return nil, err
	}
	c := &Catalogue{Origin: "builtin"}
	c.Add(acts...)
	c.Add(configActions(extra)...)
	return c, nil
}

func configActions(extra []config.ScaffolderAction) []Action {
	out := make([]Action, 0, len(extra))
	for _, e := range extra {
		out = append(out, Action{ID: e.ID, Description: e.Description, Schema: ActionSchema{Input: e.Input}, Source: "config"})
	}
	return out
}

// FetchActions lists the actions a backend really has
// (GET /api/scaffolder/v2/actions). Config-declared actions are added for
// ids the backend does not list, since they describe the same backend.
func FetchActions(ctx context.Context, bs *backstage.Client, extra []config.ScaffolderAction) (*Catalogue, error) {
	var acts []Action
	if err := bs.Do(ctx, "GET", "/api/scaffolder/v2/actions", nil, &acts); err != nil {
		return nil, fmt.Errorf("list scaffolder actions: %w", err)
	}
	c := &Catalogue{Live: true, Origin: bs.BaseURL}
	for i := range acts {
		acts[i].Source = "live"
	}
	c.Add(acts...)
	for _, a := range configActions(extra) {
		if _, ok := c.actions[a.ID]; !ok {
			c.Add(a)
		}
	}
	return c, nil
}

// Action list sources for LoadCatalogue.
const (
	ActionsAuto    = "auto"    // live when a backend is configured and reachable, else built-in
	ActionsLive    = "live"    // live or fail
	ActionsBuiltin = "builtin" // never ask a backend
)

// LoadCatalogue picks the action list. backend returns the configured
// client (an error when none is configured); warn reports a fallback.
func LoadCatalogue(ctx context.Context, mode string, backend func() (*backstage.Client, error), extra []config.ScaffolderAction, warn func(string)) (*Catalogue, error) {
	switch mode {
	case "", ActionsAuto, ActionsLive, ActionsBuiltin:
	default:
		return nil, fmt.Errorf("unknown actions source %q (use auto, live or builtin)", mode)
	}
	if mode == ActionsBuiltin || backend == nil {
		return NewBuiltinCatalogue(extra)
	}
	bs, err := backend()
	if err != nil {
		if mode == ActionsLive {
			return nil, err
		}
		return NewBuiltinCatalogue(extra)
	}
	cat, err := FetchActions(ctx, bs, extra)
	if err != nil {
		if mode == ActionsLive || ctx.Err() != nil {
			return nil, err
		}
		if warn != nil {
			warn(fmt.Sprintf("cannot list actions from %s (%v); checking against the built-in catalogue", bs.BaseURL, err))
		}
		return NewBuiltinCatalogue(extra)
	}
	return cat, nil
}
