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
	benchOwnerReply(b, func(p llm.Provider) error {
		_, err := p.Generate(context.Background(), userReq("x"))
		return err
	})
}

func BenchmarkGenerateObject(b *testing.B) {
	benchOwnerReply(b, func(p llm.Provider) error {
		_, _, err := llm.GenerateObject(context.Background(), p, userReq("x"), ownerSchema, llm.ObjectOptions{})
		return err
	})
}

// benchOwnerReply times call against a server that always answers with the
// same owner object, so the two benchmarks differ only in the call.
func benchOwnerReply(b *testing.B, call func(llm.Provider) error) {
	srv := llmtest.New(b)
	srv.Fallback = ptr(llmtest.JSON(map[string]any{"owner": "group:payments", "confidence": 0.9}))
	p := srv.Provider()
	b.ResetTimer()
	for b.Loop() {
		if err := call(p); err != nil {
			b.Fatal(err)
		}
	}
}
