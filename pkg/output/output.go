// Package output renders a command's result value as text (for people),
// JSON or YAML (stable shapes for machines). JSON and YAML come from the same
// json struct tags, so both formats have one documented shape.
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
)

// Format is an output format name as given to -o/--output.
type Format string

const (
	Text     Format = "text"
	JSON     Format = "json"
	YAML     Format = "yaml"
	Markdown Format = "markdown"
	// Mermaid is a Mermaid flowchart (catalog deps, ask about dependencies).
	Mermaid Format = "mermaid"
)

// ParseFormat checks s against the formats a command supports. "md" is
// short for markdown.
func ParseFormat(s string, allowed ...Format) (Format, error) {
	if s == "" {
		return Text, nil
	}
	want := s
	if strings.EqualFold(s, "md") {
		want = string(Markdown)
	}
	if len(allowed) == 0 {
		allowed = []Format{Text, JSON, YAML}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if strings.EqualFold(want, string(a)) {
			return a, nil
		}
		names[i] = string(a)
	}
	return "", errs.Usage("unknown output format %q", s).WithHint("use one of: %s", strings.Join(names, ", "))
}

// Print writes v to io.Out in format f. For Text (and Markdown) it calls
// text, which gets styles bound to whether stdout can show colour. JSON
// goes through the --jq expression when one is set (ios.JQ): every command
// that prints JSON through here supports --jq without code of its own.
func Print(ios *iostreams.IOStreams, f Format, v any, text func(w io.Writer, st *Styles) error) error {
	switch f {
	case JSON:
		if expr := ios.JQ(); expr != "" {
			return WriteJQ(ios.Out, v, expr)
		}
		return WriteJSON(ios.Out, v)
	case YAML:
		return WriteYAML(ios.Out, v)
	default:
		if text == nil {
			return WriteJSON(ios.Out, v)
		}
		// Every text renderer writes through a SafeWriter: data (catalog
		// text, model answers) can never move the cursor, clear the screen,
		// retitle the window or set the clipboard; with colour on, only
		// styling sequences pass.
		sw := NewSafeWriter(ios.Out, ios.ColorEnabled())
		if err := text(sw, NewStyles(ios.ColorEnabled())); err != nil {
			return err
		}
		return sw.Flush()
	}
}

// WriteJSON writes v as indented JSON without HTML escaping. Control
// characters are \u escapes (encoding/json does C0; escapeControlJSON the
// DEL and C1 ones it leaves raw).
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	if err := writeJSON(&buf, v); err != nil {
		return err
	}
	_, err := w.Write(escapeControlJSON(buf.Bytes()))
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteYAML writes v as YAML with the same field names and order as its JSON
// form: v goes through JSON, then into a yaml.Node, which keeps key order.
func WriteYAML(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	var node yaml.Node
	// Raw DEL and C1 characters are not allowed in a YAML stream; as \u
	// escapes they parse, and the encoder writes them escaped again.
	if err := yaml.Unmarshal(escapeControlJSON(buf.Bytes()), &node); err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	clearStyle(&node)
	ye := yaml.NewEncoder(w)
	ye.SetIndent(2)
	if err := ye.Encode(&node); err != nil {
		return err
	}
	return ye.Close()
}

// clearStyle drops the flow and quoting styles that JSON input leaves on
// nodes; the encoder re-quotes strings that would otherwise read as another
// type ("true", "1", "null"). It does not for YAML 1.1 booleans and
// sexagesimal numbers (yes/no/on/off/y/n, 1:20), which older parsers such
// as PyYAML read as true/false or 80, so those keep double quotes, as
// yaml.Marshal gives them.
func clearStyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && yaml11Ambiguous(n.Value) {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		clearStyle(c)
	}
}

var base60 = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)

func yaml11Ambiguous(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"on", "On", "ON", "off", "Off", "OFF":
		return true
	}
	return base60.MatchString(s)
}

// Styles are the few lipgloss styles text output uses; all plain when colour
// is off so piped output has no escape codes.
type Styles struct {
	Bold, Dim, Title, OK, Warn, Err, Ref lipgloss.Style
	Color                                bool
}

// NewStyles returns styles for a stream that can (or cannot) show colour.
func NewStyles(color bool) *Styles {
	r := lipgloss.NewRenderer(io.Discard)
	if color {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	return &Styles{
		Color: color,
		Bold:  r.NewStyle().Bold(true),
		Dim:   r.NewStyle().Faint(true),
		Title: r.NewStyle().Bold(true).Foreground(lipgloss.Color("63")),
		OK:    r.NewStyle().Foreground(lipgloss.Color("42")),
		Warn:  r.NewStyle().Foreground(lipgloss.Color("214")),
		Err:   r.NewStyle().Foreground(lipgloss.Color("196")),
		Ref:   r.NewStyle().Foreground(lipgloss.Color("39")),
	}
}
