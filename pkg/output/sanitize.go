package output

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Catalog text is written by hundreds of people and model answers quote
// it: a description holding ESC ] 0;title BEL renames the user's terminal
// window, ESC [ 2 J clears the screen, ESC ] 52 writes the clipboard, and a
// bare CR overwrites what was printed. Text output shows every such control
// character visibly instead (caret notation: ESC is ^[, BEL ^G, CR ^M; C1
// controls as \u009b), so the user sees what the data holds and the
// terminal does nothing. Newlines and tabs stay. JSON and YAML escape them
// by their own rules (see escapeControlJSON).

// Sanitize returns s with every terminal control character made visible.
func Sanitize(s string) string {
	if !needsSanitizing(s) {
		return s
	}
	var b strings.Builder
	w := &SafeWriter{w: &b}
	_, _ = w.Write([]byte(s))
	_ = w.Flush()
	return b.String()
}

func needsSanitizing(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c == 0xc2 {
			return true
		}
	}
	return false
}

// SafeWriter passes text through to w with control characters made
// visible. With AllowSGR set it lets SGR sequences (ESC [ digits;… m:
// colour, bold, underline) through, for a writer that also carries the
// output's own styling; everything else (OSC, cursor movement, erase, C1
// controls) is still shown, never sent. It keeps state across writes, so a
// sequence split between two writes is still caught; Flush writes what a
// pending sequence holds.
type SafeWriter struct {
	w        io.Writer
	AllowSGR bool
	pending  []byte // an ESC sequence or a UTF-8 lead byte not yet decided
	out      bytes.Buffer
}

// NewSafeWriter wraps w; allowSGR keeps styling sequences.
func NewSafeWriter(w io.Writer, allowSGR bool) *SafeWriter {
	return &SafeWriter{w: w, AllowSGR: allowSGR}
}

// maxSeq bounds a pending sequence: anything longer is shown, not held.
const maxSeq = 64

func (s *SafeWriter) Write(p []byte) (int, error) {
	s.out.Reset()
	for _, c := range p {
		s.feed(c)
	}
	if s.out.Len() > 0 {
		if _, err := s.w.Write(s.out.Bytes()); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush shows a sequence left incomplete at the end of the text.
func (s *SafeWriter) Flush() error {
	s.out.Reset()
	s.showPending()
	if s.out.Len() == 0 {
		return nil
	}
	_, err := s.w.Write(s.out.Bytes())
	return err
}

func (s *SafeWriter) feed(c byte) {
	if len(s.pending) > 0 {
		s.continuePending(c)
		return
	}
	switch {
	case c == 0x1b:
		s.pending = append(s.pending, c)
	case c == 0xc2: // may start a C1 control (U+0080-U+009F)
		s.pending = append(s.pending, c)
	case c == '\n' || c == '\t':
		s.out.WriteByte(c)
	case c < 0x20:
		s.out.WriteByte('^')
		s.out.WriteByte(c + 0x40)
	case c == 0x7f:
		s.out.WriteString("^?")
	default:
		s.out.WriteByte(c)
	}
}

func (s *SafeWriter) continuePending(c byte) {
	if s.pending[0] == 0xc2 {
		s.pending = s.pending[:0]
		if c >= 0x80 && c <= 0x9f {
			fmt.Fprintf(&s.out, `\u%04x`, rune(c))
			return
		}
		s.out.WriteByte(0xc2)
		s.feed(c)
		return
	}
	// An ESC sequence: only ESC [ params m is ever let through.
	if len(s.pending) == 1 {
		if c != '[' || !s.AllowSGR {
			s.showPending()
			s.feed(c)
			return
		}
		s.pending = append(s.pending, c)
		return
	}
	switch {
	case c >= '0' && c <= '9' || c == ';':
		s.pending = append(s.pending, c)
		if len(s.pending) > maxSeq {
			s.showPending()
		}
	case c == 'm':
		s.out.Write(s.pending)
		s.out.WriteByte(c)
		s.pending = s.pending[:0]
	default:
		s.showPending()
		s.feed(c)
	}
}

// showPending writes a held sequence in visible form.
func (s *SafeWriter) showPending() {
	if len(s.pending) == 0 {
		return
	}
	p := s.pending
	s.pending = nil
	if p[0] == 0xc2 {
		s.out.WriteByte(0xc2) // a lone lead byte: the next write decides nothing now
		return
	}
	s.out.WriteString("^[")
	s.out.Write(p[1:])
}

// escapeControlJSON rewrites the control characters encoding/json leaves
// raw (DEL and the C1 range U+0080-U+009F; it escapes C0 itself) as \u
// escapes. They can only occur inside JSON strings, so the result is the
// same JSON value, and no terminal reads a CSI out of it.
func escapeControlJSON(b []byte) []byte {
	if !bytes.ContainsAny(b, "\x7f") && !bytes.Contains(b, []byte{0xc2}) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0x7f {
			out = append(out, `\u007f`...)
			i++
			continue
		}
		if c == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f {
			out = fmt.Appendf(out, `\u%04x`, rune(b[i+1]))
			i += 2
			continue
		}
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		_, n := utf8.DecodeRune(b[i:])
		out = append(out, b[i:i+n]...)
		i += n
	}
	return out
}
