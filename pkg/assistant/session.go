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
	// ReadLine returns the next question: io.EOF ends the session, "" is
	// skipped (a Ctrl-C at the prompt). A line editor on a terminal gives
	// editing and history; nil reads plain lines from In.
	ReadLine func() (string, error)
	In       io.Reader
	// Prompt is written before each question when ReadLine is nil (to
	// stderr, so stdout holds only answers).
	Prompt func()
	// Begin, when set, gives the context one answer runs under and a func
	// to call when it is done; the CLI cancels it on Ctrl-C, which ends
	// that answer and keeps the session.
	Begin func(ctx context.Context) (context.Context, func())
	// Render prints one answer.
	Render func(*Answer) error
	// Error reports a failed question (context.Canceled for an answer cut
	// short by Ctrl-C); the session goes on.
	Error func(error)
}

// Session runs an interactive question loop with history until EOF
// (Ctrl-D), "exit" or "quit", or ctx is cancelled. Follow-ups ("who owns
// it?") are resolved against the previous turn's entities, and a model sees
// the last turns as conversation.
func (a *Assistant) Session(ctx context.Context, q Question, sio SessionIO) error {
	read := sio.ReadLine
	if read == nil {
		sc := bufio.NewScanner(sio.In)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		read = func() (string, error) {
			if sio.Prompt != nil {
				sio.Prompt()
			}
			if !sc.Scan() {
				if err := sc.Err(); err != nil {
					return "", err
				}
				return "", io.EOF
			}
			return sc.Text(), nil
		}
	}
	var hist []Turn
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		line := strings.TrimSpace(raw)
		switch strings.ToLower(line) {
		case "":
			continue
		case "exit", "quit", ":q":
			return nil
		}
		qq := q
		qq.Text = line
		qq.History = hist
		qctx, done := ctx, func() {}
		if sio.Begin != nil {
			qctx, done = sio.Begin(ctx)
		}
		ans, err := a.Ask(qctx, qq)
		if err == nil {
			err = sio.Render(ans)
			if err != nil && qctx.Err() == nil {
				done()
				return err
			}
		}
		done()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if sio.Error != nil {
				sio.Error(err)
			}
			continue
		}
		hist = append(hist, Turn{Question: line, Answer: ans.Answer, Focus: ans.Focus})
		if len(hist) > maxHistory {
			hist = hist[len(hist)-maxHistory:]
		}
	}
}
