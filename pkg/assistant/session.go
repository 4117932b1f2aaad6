package assistant

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
)

// maxHistory bounds the turns an interactive session remembers.
const maxHistory = 10

// SessionIO is what an interactive session reads from and writes to.
type SessionIO struct {
	In io.Reader
	// Prompt is written before each question (to stderr, so stdout holds
	// only answers).
	Prompt func()
	// Render prints one answer.
	Render func(*Answer) error
	// Error reports a failed question; the session goes on.
	Error func(error)
}

// Session runs an interactive question loop with history until EOF
// (Ctrl-D), "exit" or "quit", or ctx is cancelled. Follow-ups ("who owns
// it?") are resolved against the previous turn's entities, and a model sees
// the last turns as conversation.
func (a *Assistant) Session(ctx context.Context, q Question, sio SessionIO) error {
	sc := bufio.NewScanner(sio.In)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var hist []Turn
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if sio.Prompt != nil {
			sio.Prompt()
		}
		if !sc.Scan() {
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		switch strings.ToLower(line) {
		case "":
			continue
		case "exit", "quit", ":q":
			return nil
		}
		qq := q
		qq.Text = line
		qq.History = hist
		ans, err := a.Ask(ctx, qq)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			if sio.Error != nil {
				sio.Error(err)
			}
			continue
		}
		if err := sio.Render(ans); err != nil {
			return err
		}
		hist = append(hist, Turn{Question: line, Answer: ans.Answer, Focus: ans.Focus})
		if len(hist) > maxHistory {
			hist = hist[len(hist)-maxHistory:]
		}
	}
}
