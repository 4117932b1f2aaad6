package mcp

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/mcp"
)

// Progress is one notifications/progress a server sent about a call.
type Progress struct {
	Progress float64
	// Total is 0 when the server does not know it.
	Total   float64
	Message string
}

// String renders progress for a status line: "3/5 (60%) message".
func (p Progress) String() string {
	s := strconv.FormatFloat(p.Progress, 'f', -1, 64)
	if p.Total > 0 {
		s = fmt.Sprintf("%s/%s (%d%%)", s, strconv.FormatFloat(p.Total, 'f', -1, 64), int(100*p.Progress/p.Total))
	}
	if p.Message != "" {
		s += " " + p.Message
	}
	return s
}

// progressRoutes sends progress notifications to the call that asked for
// them: a call with OnProgress sends a progress token of its own in
// _meta, and the server echoes it in every notification.
type progressRoutes struct {
	next atomic.Int64
	m    sync.Map // token string -> func(Progress)
}

var routes progressRoutes

// register returns a fresh token for fn and a func to drop it.
func (pr *progressRoutes) register(fn func(Progress)) (token string, drop func()) {
	token = "bsai-" + strconv.FormatInt(pr.next.Add(1), 10)
	pr.m.Store(token, fn)
	return token, func() { pr.m.Delete(token) }
}

// deliver routes a notifications/progress; unknown tokens are ignored.
func (pr *progressRoutes) deliver(n mcp.JSONRPCNotification) {
	f := n.Params.AdditionalFields
	tok := fmt.Sprint(f["progressToken"])
	v, ok := pr.m.Load(tok)
	if !ok {
		return
	}
	p := Progress{Progress: num(f["progress"]), Total: num(f["total"])}
	if msg, ok := f["message"].(string); ok {
		p.Message = msg
	}
	v.(func(Progress))(p)
}

func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return 0
}
