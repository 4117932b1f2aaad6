package iostreams

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
)

// TermPrompter reads y/yes from In; anything else is a no.
type TermPrompter struct {
	In  io.Reader
	Out io.Writer
	r   *bufio.Reader
}

func (t *TermPrompter) Confirm(ctx context.Context, q string) (bool, error) {
	if t.r == nil {
		t.r = bufio.NewReader(t.In)
	}
	fmt.Fprintf(t.Out, "%s [y/N] ", q)
	line, err := t.r.ReadString('\n')
	if err != nil && line == "" {
		return false, err
	}
	s := strings.ToLower(strings.TrimSpace(line))
	return s == "y" || s == "yes", nil
}
