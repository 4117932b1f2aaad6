package mcp

import (
	"context"
	"sync"
	"testing"
)

// The real server-everything sends notifications/progress for a call that
// carries a progress token; each reaches that call's OnProgress, in order.
func TestEverythingProgress(t *testing.T) {
	r := everythingStdio(t)
	var mu sync.Mutex
	var got []Progress
	_, err := r.CallToolWith(context.Background(), "everything", "trigger-long-running-operation",
		map[string]any{"duration": 1, "steps": 3}, CallOptions{OnProgress: func(p Progress) {
			mu.Lock()
			got = append(got, p)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 || got[0].Progress != 1 || got[2].Progress != 3 || got[2].Total != 3 {
		t.Fatalf("progress = %+v, want 1/3, 2/3, 3/3", got)
	}
	if s := got[1].String(); s != "2/3 (66%)" {
		t.Errorf("String() = %q", s)
	}
	// A call without OnProgress sends no token: nothing is routed.
	if _, err := r.CallTool(context.Background(), "everything", "trigger-long-running-operation", map[string]any{"duration": 0.2, "steps": 2}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Errorf("progress without a token reached the old callback: %+v", got)
	}
}
