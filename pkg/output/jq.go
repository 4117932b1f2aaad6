package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/itchyny/gojq"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// CompileJQ parses a --jq expression; a bad one is a usage error, found
// before the command does any work.
func CompileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, errs.Usage("invalid --jq expression %q: %w", expr, err).
			WithHint("the syntax is jq's, e.g. --jq '.[] | .name'")
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, errs.Usage("invalid --jq expression %q: %w", expr, err)
	}
	return code, nil
}

// WriteJQ filters v's JSON form through expr and writes each result on its
// own line, as gh --jq does: strings raw (no quotes), anything else as
// compact JSON. The input is exactly what -o json prints.
func WriteJQ(w io.Writer, v any, expr string) error {
	code, err := CompileJQ(expr)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	var in any
	dec := json.NewDecoder(&buf)
	dec.UseNumber() // big integers (ids, sizes) keep every digit
	if err := dec.Decode(&in); err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	iter := code.Run(in)
	out := json.NewEncoder(w)
	out.SetEscapeHTML(false)
	for {
		r, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, isErr := r.(error); isErr {
			if h, halt := err.(*gojq.HaltError); halt && h.Value() == nil {
				return nil
			}
			return errs.Usage("--jq %q: %w", expr, err).WithHint("run with -o json to see the shape the expression works on")
		}
		if s, isStr := r.(string); isStr {
			if _, err := fmt.Fprintln(w, s); err != nil {
				return err
			}
			continue
		}
		if err := out.Encode(r); err != nil {
			return err
		}
	}
}
