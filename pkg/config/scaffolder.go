package config

import (
	"fmt"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// ScaffolderConfig is the typed view of bsai.scaffolder.*: extra actions a
// backend has beyond Backstage's built-ins (e.g. an MCP bridge's mcp:call),
// so offline validation knows them, and generation defaults.
//
//	bsai:
//	  scaffolder:
//	    maxRepairs: 2
//	    actions:
//	      - id: mcp:call
//	        description: Calls a tool on an MCP server
//	        input:            # JSON Schema of the step's input
//	          type: object
//	          required: [server, tool]
//	          properties:
//	            server: {type: string}
//	            tool: {type: string}
//	            arguments: {type: object}
type ScaffolderConfig struct {
	Actions []ScaffolderAction `json:"actions"`
	// MaxRepairs bounds the validator-driven repair rounds of
	// `template generate` (0 = the command's default).
	MaxRepairs int `json:"maxRepairs"`
}

// ScaffolderAction declares one action and its input schema.
type ScaffolderAction struct {
	ID          string         `json:"id"`
	Description string         `json:"description"`
	Input       map[string]any `json:"input"`
}

// Scaffolder returns bsai.scaffolder.* (zero value when absent).
func (c *Config) Scaffolder() (ScaffolderConfig, error) {
	var s ScaffolderConfig
	if err := c.Decode("bsai.scaffolder", &s); err != nil {
		return s, err
	}
	for i, a := range s.Actions {
		if a.ID == "" {
			return s, errs.Config("invalid config key %q: every action needs an id", fmt.Sprintf("bsai.scaffolder.actions[%d]", i)).
				WithHint("give each entry of bsai.scaffolder.actions an id such as mcp:call")
		}
	}
	return s, nil
}
