package iostreams

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
)

// LineReader reads one line of input at a time. ReadLine returns io.EOF
// at the end (Ctrl-D on an empty line) and "" with no error for a Ctrl-C
// at the prompt, which abandons the line being typed.
type LineReader interface {
	ReadLine() (string, error)
	Close() error
}

// NewLineReader returns a line editor on a terminal (arrow keys, Emacs
// keys, history with up/down and Ctrl-R, kept in historyFile when set) via
// chzyer/readline; the prompt and the line being edited go to stderr, so
// stdout holds only answers. Without a terminal it reads plain lines and
// prints the prompt to stderr.
func (s *IOStreams) NewLineReader(prompt, historyFile string) (LineReader, error) {
	// The editor needs the real terminal to switch to raw mode; streams
	// that only claim to be one (tests, SetTTY) get the plain reader.
	if f, ok := s.In.(*os.File); !ok || !s.CanPrompt() || !isTerminal(f) {
		return &plainReader{s: s, prompt: prompt, sc: newScanner(s.In)}, nil
	}
	if historyFile != "" {
		if err := os.MkdirAll(filepath.Dir(historyFile), 0o700); err != nil {
			historyFile = "" // no history across sessions; editing still works
		}
	}
	cfg := &readline.Config{
		Prompt:            prompt,
		HistoryFile:       historyFile,
		HistoryLimit:      1000,
		HistorySearchFold: true,
		Stdout:            s.ErrOut,
		Stderr:            s.ErrOut,
		InterruptPrompt:   "^C",
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return nil, fmt.Errorf("line editor: %w", err)
	}
	if historyFile != "" {
		_ = os.Chmod(historyFile, 0o600) // questions may name private things
	}
	return &editReader{rl: rl}, nil
}

type editReader struct{ rl *readline.Instance }

func (r *editReader) ReadLine() (string, error) {
	line, err := r.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", nil
	}
	return line, err
}

func (r *editReader) Close() error { return r.rl.Close() }

type plainReader struct {
	s      *IOStreams
	prompt string
	sc     *bufio.Scanner
}

func newScanner(in io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	return sc
}

func (r *plainReader) ReadLine() (string, error) {
	if r.prompt != "" {
		fmt.Fprint(r.s.ErrOut, r.prompt)
	}
	if !r.sc.Scan() {
		if err := r.sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	return strings.TrimRight(r.sc.Text(), "\r"), nil
}

func (r *plainReader) Close() error { return nil }
