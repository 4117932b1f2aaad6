package mcpserve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/output"
)

// The model-backed tools call the same functions as `bsai ask`,
// `bsai template generate` and `bsai incident investigate`, in the same
// environments, and return what those commands print with -o json. Their
// warnings come back in the result instead of on a terminal; nothing can
// prompt, and nothing reaches stdout, which is the MCP channel in stdio
// mode.

// warnings collects a tool call's warnings (Warn may be called from the
// goroutines of a parallel collection).
type warnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnings) warn(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, "warning: "+fmt.Sprintf(format, args...))
}

func (w *warnings) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

// result is v as the command's JSON, in text and as structuredContent,
// with the warnings as a second text block.
func result(v any, w *warnings) *mcp.CallToolResult {
	var buf bytes.Buffer
	if err := output.WriteJSON(&buf, v); err != nil {
		return mcp.NewToolResultError("bsai produced no JSON result: " + err.Error())
	}
	var structured map[string]any
	if err := json.Unmarshal(buf.Bytes(), &structured); err != nil {
		return mcp.NewToolResultError("bsai produced no JSON result: " + err.Error())
	}
	res := mcp.NewToolResultStructured(structured, strings.TrimSpace(buf.String()))
	if s := w.String(); s != "" {
		res.Content = append(res.Content, mcp.NewTextContent("warnings:\n"+s))
	}
	return res
}

// toolError renders an error with its hint and any warnings printed before
// it, so the calling model can read and fix it.
func toolError(err error, w *warnings) *mcp.CallToolResult {
	msg := err.Error()
	if h := errs.HintOf(err); h != "" {
		msg += "\nhint: " + h
	}
	if s := w.String(); s != "" {
		msg += "\n" + s
	}
	return mcp.NewToolResultError(msg)
}
