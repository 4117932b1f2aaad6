package llm_test

import (
	"context"
	"testing"

	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

// Compare the cost GenerateObject adds (schema compile + validation) to a
// plain Generate over the same loopback HTTP; report the ratio, not times.
func BenchmarkGenerate(b *testing.B) {
	srv := llmtest.New(b)
	srv.Fallback = ptr(llmtest.JSON(map[string]any{"owner": "group:payments", "confidence": 0.9}))
	p := srv.Provider()
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.Generate(context.Background(), userReq("x")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateObject(b *testing.B) {
	srv := llmtest.New(b)
	srv.Fallback = ptr(llmtest.JSON(map[string]any{"owner": "group:payments", "confidence": 0.9}))
	p := srv.Provider()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := llm.GenerateObject(context.Background(), p, userReq("x"), ownerSchema, llm.ObjectOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
