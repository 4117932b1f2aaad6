package mcp

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bsai-dev/bsai/pkg/output"
)

// ResultJSON is the documented `bsai mcp call -o json` shape: the
// CallToolResult as the server sent it, with isError always present.
type ResultJSON struct {
	Content           []mcp.Content `json:"content"`
	StructuredContent any           `json:"structuredContent,omitempty"`
	IsError           bool          `json:"isError"`
	Meta              *mcp.Meta     `json:"_meta,omitempty"`
}

// ToResultJSON converts a result into its JSON shape.
func ToResultJSON(r *mcp.CallToolResult) ResultJSON {
	out := ResultJSON{Content: r.Content, StructuredContent: r.StructuredContent, IsError: r.IsError, Meta: r.Meta}
	if out.Content == nil {
		out.Content = []mcp.Content{}
	}
	return out
}

// WriteContent prints contents for people: text as is, binary and resource
// contents as one summary line each (use -o json for the data).
func WriteContent(w io.Writer, contents []mcp.Content) error {
	for _, c := range contents {
		var line string
		switch t := c.(type) {
		case mcp.TextContent:
			line = t.Text
		case *mcp.TextContent:
			line = t.Text
		case mcp.ImageContent:
			line = fmt.Sprintf("[image %s, %s]", t.MIMEType, size(b64Len(t.Data)))
		case *mcp.ImageContent:
			line = fmt.Sprintf("[image %s, %s]", t.MIMEType, size(b64Len(t.Data)))
		case mcp.AudioContent:
			line = fmt.Sprintf("[audio %s, %s]", t.MIMEType, size(b64Len(t.Data)))
		case *mcp.AudioContent:
			line = fmt.Sprintf("[audio %s, %s]", t.MIMEType, size(b64Len(t.Data)))
		case mcp.EmbeddedResource:
			line = resourceLine(t.Resource)
		case *mcp.EmbeddedResource:
			line = resourceLine(t.Resource)
		case mcp.ResourceLink:
			line = fmt.Sprintf("[link %s %s%s]", t.Name, t.URI, mimeSuffix(t.MIMEType))
		case *mcp.ResourceLink:
			line = fmt.Sprintf("[link %s %s%s]", t.Name, t.URI, mimeSuffix(t.MIMEType))
		default:
			b, _ := json.Marshal(c)
			line = fmt.Sprintf("[content %s]", b)
		}
		if _, err := io.WriteString(w, strings.TrimRight(line, "\n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// WriteResult prints a tool result for people. Structured content is shown
// as JSON only when there is no unstructured content (servers SHOULD send
// both, and the text one is for us).
func WriteResult(w io.Writer, r *mcp.CallToolResult) error {
	if err := WriteContent(w, r.Content); err != nil {
		return err
	}
	if len(r.Content) == 0 && r.StructuredContent != nil {
		b, err := json.MarshalIndent(r.StructuredContent, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	return nil
}

// WriteResourceContents prints resources/read results: text as is, blobs
// summarised.
func WriteResourceContents(w io.Writer, rs []mcp.ResourceContents) error {
	for _, rc := range rs {
		switch t := rc.(type) {
		case mcp.TextResourceContents:
			fmt.Fprintln(w, strings.TrimRight(t.Text, "\n"))
		case *mcp.TextResourceContents:
			fmt.Fprintln(w, strings.TrimRight(t.Text, "\n"))
		default:
			fmt.Fprintln(w, resourceLine(rc))
		}
	}
	return nil
}

func resourceLine(rc mcp.ResourceContents) string {
	switch t := rc.(type) {
	case mcp.TextResourceContents:
		return fmt.Sprintf("[resource %s%s, %s]", t.URI, mimeSuffix(t.MIMEType), size(len(t.Text)))
	case *mcp.TextResourceContents:
		return fmt.Sprintf("[resource %s%s, %s]", t.URI, mimeSuffix(t.MIMEType), size(len(t.Text)))
	case mcp.BlobResourceContents:
		return fmt.Sprintf("[resource %s%s, %s]", t.URI, mimeSuffix(t.MIMEType), size(b64Len(t.Blob)))
	case *mcp.BlobResourceContents:
		return fmt.Sprintf("[resource %s%s, %s]", t.URI, mimeSuffix(t.MIMEType), size(b64Len(t.Blob)))
	}
	return "[resource]"
}

func mimeSuffix(m string) string {
	if m == "" {
		return ""
	}
	return " " + m
}

// b64Len is the decoded size of base64 data without decoding it.
func b64Len(s string) int {
	n := len(s) / 4 * 3
	if strings.HasSuffix(s, "==") {
		n -= 2
	} else if strings.HasSuffix(s, "=") {
		n--
	}
	return n
}

func size(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1024/1024)
	}
}

// WriteTools prints tools with their arguments:
//
//	get-sum  Returns the sum of two numbers
//	    a  number  required  First number
//
// width is the terminal width to fit (0: no limit, as when piped): then
// descriptions are cut with "…"; tool and argument names and types, what
// mcp call takes, never are.
func WriteTools(w io.Writer, tools []mcp.Tool, width int) error {
	for i, t := range tools {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := &output.Table{Columns: []output.Column{{}}, Rows: [][]string{{t.Name}}, Width: width}
		if desc := firstLine(t.Description); desc != "" {
			head.Columns = append(head.Columns, output.Column{Shrink: true})
			head.Rows[0] = append(head.Rows[0], desc)
		}
		if err := head.Write(w); err != nil {
			return err
		}
		params := &output.Table{
			Columns: []output.Column{{}, {}, {}, {Shrink: true}},
			Width:   width,
			Indent:  "    ",
		}
		for _, p := range Params(t) {
			req := ""
			if p.Required {
				req = "required"
			}
			d := firstLine(p.Description)
			if p.Default != nil {
				b, _ := json.Marshal(p.Default)
				d = strings.TrimSpace(d + " (default " + string(b) + ")")
			}
			params.Rows = append(params.Rows, []string{p.Name, p.Type, req, d})
		}
		if err := params.Write(w); err != nil {
			return err
		}
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}
