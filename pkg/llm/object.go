package llm

import (
	"context"
	"encoding/json"
	"errors"
)

// ObjectOptions tunes GenerateObject.
type ObjectOptions struct {
	// Name of the schema sent in response_format (default "result").
	Name string
	// MaxRepairs bounds re-asks after an invalid reply (default 2).
	MaxRepairs int
}

// GenerateObject asks for JSON matching schema (a JSON Schema document),
// validates the reply, re-asks with the validation errors on failure, and
// returns the valid JSON. Usage is summed over all rounds.
// TODO(issue 3): implement.
func GenerateObject(ctx context.Context, p Provider, req Request, schema json.RawMessage, opts ObjectOptions) (json.RawMessage, Usage, error) {
	return nil, Usage{}, errors.New("llm: GenerateObject not implemented yet")
}
