package complete

import (
	"testing"
	"time"
)

func TestCacheTTLAndKey(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &Cache{Dir: t.TempDir(), TTL: time.Minute, Now: func() time.Time { return now }}
	c.Put("k", []string{"a"})
	var got []string
	if !c.Get("k", &got) || len(got) != 1 || got[0] != "a" {
		t.Fatalf("fresh entry: %v", got)
	}
	if c.Get("other", &got) {
		t.Error("other key hit")
	}
	now = now.Add(2 * time.Minute)
	if c.Get("k", &got) {
		t.Error("expired entry used")
	}
	if (&Cache{}).Get("k", &got) {
		t.Error("disabled cache hit")
	}
}
