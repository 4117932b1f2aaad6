package iostreams

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// TermPrompter asks on a terminal: Confirm reads y/yes (anything else is a
// no), Choose reads a number. Both return ctx.Err() as soon as ctx ends
// (Ctrl-C), instead of waiting for a line that may never come, so an
// interrupted prompt is never read as an answer.
type TermPrompter struct {
	In  io.Reader
	Out io.Writer

	once  sync.Once
	lines chan lineOrErr
}

type lineOrErr struct {
	line string
	err  error
}

// readLine waits for the next line or the end of ctx. One goroutine reads
// In for the prompter's lifetime, so a prompt abandoned on Ctrl-C does not
// leave a second reader racing the next prompt for the same input.
func (t *TermPrompter) readLine(ctx context.Context) (string, error) {
	t.once.Do(func() {
		t.lines = make(chan lineOrErr)
		go func() {
			br := bufio.NewReader(t.In)
			for {
				line, err := br.ReadString('\n')
				t.lines <- lineOrErr{line, err}
				if err != nil {
					close(t.lines)
					return
				}
			}
		}()
	})
	if err := ctx.Err(); err != nil {
		return "", err
	}
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r, ok := <-t.lines:
		if !ok {
			return "", io.EOF
		}
		if r.err != nil && r.line == "" {
			return "", r.err
		}
		return r.line, nil
	}
}

// Confirm asks q and waits for y/yes.
func (t *TermPrompter) Confirm(ctx context.Context, q string) (bool, error) {
	fmt.Fprintf(t.Out, "%s [y/N] ", q)
	line, err := t.readLine(ctx)
	if err != nil {
		fmt.Fprintln(t.Out)
		return false, err
	}
	s := strings.ToLower(strings.TrimSpace(line))
	return s == "y" || s == "yes", nil
}

// Choose lists options numbered from 1 and returns the index picked; an
// empty or unknown answer asks again, at most three times.
func (t *TermPrompter) Choose(ctx context.Context, q string, options []string) (int, error) {
	fmt.Fprintln(t.Out, q)
	for i, o := range options {
		fmt.Fprintf(t.Out, "  %d) %s\n", i+1, o)
	}
	for try := 0; try < 3; try++ {
		fmt.Fprintf(t.Out, "Choose 1-%d: ", len(options))
		line, err := t.readLine(ctx)
		if err != nil {
			fmt.Fprintln(t.Out)
			return -1, err
		}
		if n, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && n >= 1 && n <= len(options) {
			return n - 1, nil
		}
	}
	return -1, fmt.Errorf("no valid choice after 3 tries")
}
