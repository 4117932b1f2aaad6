package incident_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// BenchmarkLogTemplates compares parsing a JSONL log file (the baseline
// every log source pays) with parsing plus masking and grouping into
// templates. Read the two ns/op as a ratio: grouping should stay within a
// small multiple of parsing.
func BenchmarkLogTemplates(b *testing.B) {
	start := time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC)
	var sb strings.Builder
	msgs := []string{
		"payment pay_%d failed: card gateway timeout after %dms",
		"ledger-api POST /v1/journal returned 500 for payment %d (trace %x)",
		"authorised payment %d in %dms",
	}
	for i := 0; i < 20000; i++ {
		level := "error"
		if i%3 == 2 {
			level = "info"
		}
		fmt.Fprintf(&sb, `{"time":%q,"service":"payments-api","level":%q,"msg":%q}`+"\n",
			start.Add(time.Duration(i)*100*time.Millisecond).Format(time.RFC3339Nano), level, fmt.Sprintf(msgs[i%3], i, i*7919))
	}
	data := []byte(sb.String())
	s := source.Scope{Focus: "component:default/payments-api", Entities: []string{"component:default/payments-api"},
		Names: map[string]string{"component:default/payments-api": "payments-api"}, Start: start, End: start.Add(time.Hour)}
	b.Run("parse-baseline", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			if _, err := source.ParseLogLines(data, s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse+group", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			lines, err := source.ParseLogLines(data, s)
			if err != nil {
				b.Fatal(err)
			}
			if ev := source.GroupTemplates(lines, "logs", "", 20); len(ev) != 2 {
				b.Fatalf("want 2 templates, got %d", len(ev))
			}
		}
	})
}
